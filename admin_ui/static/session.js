// The browser session: who is signed in (tokens in localStorage), and the one API client every page uses.
//
// Three kinds of token: a tenant user's (access + rotating refresh token), a support person's (no refresh),
// and a support person acting as a tenant user (no refresh, at most an hour). A 401 on a user's token is
// answered by one refresh (rotation), then one retry; when that fails too, the session has ended.

const STORE = "crm.session";
// Any service's support routes (`/api/<service>/v1/support/...`) take the support person's token.
const SUPPORT_API = /^\/api\/[a-z][a-z0-9-]*\/v1\/support\//;

/** The API refused a request: the problem+json body it sent, in both languages. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  /** The problem's sentence in `lang`: the API sends both, so a switch of language needs no new request. */
  text(lang) {
    const localised = this.problem.i18n?.[lang];
    return localised ? localised.detail || localised.title : this.message;
  }

  /** Field-level errors in `lang`: [{field, message}]. */
  fields(lang) {
    return (this.problem.errors || []).map((error) => ({
      field: error.field,
      message: lang === "en" ? error.message_en : error.message_vi,
    }));
  }
}

const UNREACHABLE = {
  i18n: {
    vi: { title: "Không kết nối được máy chủ. Hãy thử lại." },
    en: { title: "The server could not be reached. Try again." },
  },
};

/** Thrown to a page whose request found the session over; the shell has already gone back to sign-in. */
export class SessionEnded extends Error {
  sessionEnded = true;
}

function load() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || {};
  } catch {
    return {};
  }
}

export class Session {
  /** `onEnded(kind)` is called when a session of that kind ("user", "support", "acting") can no longer be used. */
  constructor(onEnded) {
    this.onEnded = onEnded;
    this.lang = "vi";
    this.state = load();
    this.refreshing = null;
  }

  save() {
    localStorage.setItem(STORE, JSON.stringify(this.state));
  }

  setUser(tokens) {
    this.state.user = { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
    this.save();
  }

  setSupport(tokens) {
    this.state.support = { access_token: tokens.access_token };
    this.save();
  }

  setActing(acting) {
    this.state.acting = acting;
    this.save();
  }

  drop(kind) {
    delete this.state[kind];
    this.save();
  }

  /** "acting", "user" or "support": whose pages the shell shows; null when nobody is signed in. */
  get mode() {
    return ["acting", "user", "support"].find((kind) => this.state[kind]) || null;
  }

  kindFor(path) {
    if (SUPPORT_API.test(path)) return "support";
    return this.state.acting ? "acting" : "user";
  }

  /** Calls our API; answers the parsed JSON (null for 204), throws ApiError or SessionEnded. A `body` that is a
   * FormData (a file upload) goes as multipart/form-data; any other body as JSON. */
  async api(path, { method = "GET", body, query } = {}) {
    const url = withQuery(path, query);
    const kind = this.kindFor(path);
    const token = this.state[kind]?.access_token;
    let response = await this.send(url, method, body, token);
    if (response.status === 401 && token) {
      const fresh = kind === "user" ? await this.refresh(token) : null;
      response = fresh ? await this.send(url, method, body, fresh) : response;
      if (response.status === 401) {
        this.drop(kind);
        this.onEnded(kind);
        throw new SessionEnded();
      }
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  async send(url, method, body, token) {
    const headers = { "Accept-Language": this.lang };
    if (token) headers.Authorization = `Bearer ${token}`;
    const multipart = body instanceof FormData;  // the browser sets its Content-Type with the boundary
    if (body !== undefined && !multipart) headers["Content-Type"] = "application/json";
    try {
      return await fetch(url, { method, headers,
                                body: body === undefined || multipart ? body : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, UNREACHABLE);
    }
  }

  /** A new access token for the user session whose token `stale` was refused, or null.
   *
   * The refresh token rotates and presenting a spent one ends the whole session, so refreshes must not
   * race: one at a time across tabs (Web Locks), and whoever waited finds the tokens already renewed. */
  refresh(stale) {
    const renew = async () => {
      this.state = load();
      const user = this.state.user;
      if (!user) return null;
      if (user.access_token !== stale) return user.access_token;
      const response = await fetch("/api/identity/v1/token/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: user.refresh_token }),
      }).catch(() => null);
      if (!response?.ok) return null;
      this.setUser(await response.json());
      return this.state.user.access_token;
    };
    if (navigator.locks) return navigator.locks.request("crm-session-refresh", renew);
    this.refreshing ??= renew().finally(() => (this.refreshing = null));
    return this.refreshing;
  }
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
