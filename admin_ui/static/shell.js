// The admin shell: sign-in, the tenant switcher, the menu read from every service's manifest, the language,
// notifications, and the page of the current route, which its own service serves as an ES module.

import { html, LitElement, nothing } from "lit";
import { ApiError, Session } from "/ui/session.js";

const LANG_KEY = "crm.lang";
const MANIFEST_KEY = "crm.manifest."; // + service: the last manifest seen, to name its pages while it is down
const MANIFEST_TIMEOUT_MS = 5000;

const TEXT = {
  vi: {
    product: "CRM — Khách hàng", signIn: "Đăng nhập", email: "Email", password: "Mật khẩu",
    supportSignIn: "Đăng nhập nhân viên hỗ trợ", tenantSignIn: "Đăng nhập người dùng công ty",
    signOut: "Đăng xuất", company: "Công ty", language: "Ngôn ngữ", menu: "Danh mục",
    unavailable: "không khả dụng", loading: "Đang tải…", notifications: "Thông báo", close: "Đóng",
    sessionEnded: "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
    actingEnded: "Phiên đóng vai đã kết thúc.",
    pageUnavailable: "Trang này tạm thời không khả dụng: dịch vụ của nó không trả lời.",
    retry: "Thử lại", noPage: "Không có trang này.", noPages: "Chưa có trang nào bạn được xem.",
    acting: "Bạn đang đóng vai thành viên của", readOnly: "chỉ đọc", canWrite: "được ghi", reason: "Lý do",
    stopActing: "Kết thúc đóng vai", skip: "Bỏ qua đến nội dung", support: "Hỗ trợ",
  },
  en: {
    product: "CRM — Customers", signIn: "Sign in", email: "Email", password: "Password",
    supportSignIn: "Support staff sign-in", tenantSignIn: "Company user sign-in",
    signOut: "Sign out", company: "Company", language: "Language", menu: "Menu",
    unavailable: "unavailable", loading: "Loading…", notifications: "Notifications", close: "Close",
    sessionEnded: "Your session has ended. Please sign in again.",
    actingEnded: "Acting as a user has ended.",
    pageUnavailable: "This page is unavailable for now: its service does not answer.",
    retry: "Retry", noPage: "There is no such page.", noPages: "There is no page you may see yet.",
    acting: "You are acting as a member of", readOnly: "read-only", canWrite: "may write", reason: "Reason",
    stopActing: "Stop acting", skip: "Skip to content", support: "Support",
  },
};

class CrmShell extends LitElement {
  static properties = {
    lang: { state: true }, view: { state: true }, services: { state: true }, me: { state: true },
    permissions: { state: true }, page: { state: true }, notices: { state: true }, loginProblem: { state: true },
  };

  constructor() {
    super();
    this.session = new Session((kind) => this.sessionEnded(kind));
    this.chosenLang = localStorage.getItem(LANG_KEY);
    this.setLang(this.chosenLang || "vi");
    this.view = "loading"; // loading | login | support-login | app
    this.services = [];
    this.me = null;
    this.permissions = new Set();
    this.page = null; // {entry, element} or {entry, failed: true} or {missing: true}
    this.notices = [];
    this.loginProblem = null;
    const shell = this;
    this.context = {
      api: (path, options) => this.session.api(path, options),
      can: (permission) => !permission || this.permissions.has(permission),
      notify: (text, kind) => this.notify(text, kind),
      navigate: (hash) => (location.hash = hash),
      actAs: (impersonation, details) => this.actAs(impersonation, details),
      get user() { return shell.me && { id: shell.me.user_id, email: shell.me.email, full_name: shell.me.full_name }; },
      get tenant() { return shell.me?.tenant || null; },
    };
    addEventListener("hashchange", () => this.showRoute());
  }

  createRenderRoot() {
    return this; // the shell's own markup takes the global stylesheet; pages keep their shadow roots
  }

  connectedCallback() {
    super.connectedCallback();
    this.enter();
  }

  t(key) {
    return TEXT[this.lang][key];
  }

  setLang(lang) {
    this.lang = lang;
    this.session.lang = lang;
    document.documentElement.lang = lang;
    if (this.page?.element) this.page.element.lang = lang;
  }

  chooseLang(lang) {
    this.chosenLang = lang;
    localStorage.setItem(LANG_KEY, lang);
    this.setLang(lang);
  }

  // -- entering: who is signed in decides what is shown -------------------------------------------------

  async enter() {
    const mode = this.session.mode;
    if (!mode) {
      this.view = "login";
      return;
    }
    this.view = "loading";
    try {
      if (mode === "support") {
        this.me = null;
        this.permissions = new Set();
      } else {
        await this.loadMe();
      }
    } catch (error) {
      if (error.sessionEnded) return;
      this.notifyError(error); // identity does not answer: nothing can be shown but the sign-in form
      this.view = mode === "support" ? "support-login" : "login";
      return;
    }
    this.services = await loadManifests();
    this.view = "app";
    this.showRoute();
  }

  async loadMe() {
    const [me, access] = await Promise.all([this.session.api("/api/identity/v1/me"),
                                            this.session.api("/api/identity/v1/me/access")]);
    this.me = me;
    this.permissions = new Set(access.permissions);
    if (!this.chosenLang) {
      // Vietnamese by default for a Vietnamese company: the tenant's language, else the user's own.
      const settings = await this.session.api("/api/identity/v1/tenant/settings").catch(() => null);
      this.setLang(settings?.language || me.language || "vi");
    }
  }

  sessionEnded(kind) {
    this.page = null;
    if (kind === "acting") {
      this.notify(this.t("actingEnded"), "info");
      this.enter();
      return;
    }
    this.notify(this.t("sessionEnded"), "error");
    this.view = kind === "support" ? "support-login" : "login";
  }

  async signIn(event, kind) {
    event.preventDefault();
    const form = new FormData(event.target);
    const path = kind === "support" ? "/api/identity/v1/support/login" : "/api/identity/v1/login";
    try {
      const tokens = await this.session.api(path, {
        method: "POST", body: { email: form.get("email"), password: form.get("password") },
      });
      if (kind === "support") this.session.setSupport(tokens);
      else this.session.setUser(tokens);
      this.loginProblem = null;
      await this.enter();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.loginProblem = error;
    }
  }

  async signOut() {
    const mode = this.session.mode;
    if (mode === "user") await this.session.api("/api/identity/v1/logout", { method: "POST" }).catch(() => null);
    this.session.drop(mode);
    this.page = null;
    if (mode === "acting") {
      history.replaceState(null, "", location.pathname); // back to the console's first page
      await this.enter();
      return;
    }
    this.view = mode === "support" ? "support-login" : "login";
  }

  async switchTenant(tenantId) {
    const tokens = await this.session.api("/api/identity/v1/switch-tenant", {
      method: "POST", body: { tenant_id: tenantId },
    }).catch((error) => this.notifyError(error));
    if (!tokens) return;
    this.session.setUser(tokens);
    this.page = null;
    await this.enter();
  }

  /** A support person starts acting as a tenant user: a banner shows it while it lasts. */
  async actAs(impersonation, details) {
    this.session.setActing({ ...impersonation, ...details });
    this.page = null;
    history.replaceState(null, "", location.pathname); // the tenant's first page
    await this.enter();
  }

  // -- notifications ----------------------------------------------------------------------------------

  notify(text, kind = "info") {
    if (this.notices.some((notice) => notice.text === text)) return; // e.g. several requests saw the session end
    const notice = { id: crypto.randomUUID(), text, kind };
    this.notices = [...this.notices.slice(-4), notice];
    if (kind !== "error") setTimeout(() => this.dismiss(notice.id), 6000);
  }

  notifyError(error) {
    if (error?.sessionEnded) return null;
    this.notify(error instanceof ApiError ? error.text(this.lang) : String(error), "error");
    return null;
  }

  dismiss(id) {
    this.notices = this.notices.filter((notice) => notice.id !== id);
  }

  // -- the menu and the route -------------------------------------------------------------------------

  /** Menu entries of the signed-in audience, in groups: [{label, entries: [{entry}]}]. */
  menu() {
    const audience = this.session.mode === "support" ? "support" : "tenant";
    const groups = new Map();
    for (const service of this.services) {
      const manifest = service.manifest;
      if (!manifest) {
        groups.set(`down:${service.name}`, { label: null, entries: [{ service: service.name, down: true }] });
        continue;
      }
      for (const page of manifest.pages) {
        if (page.audience !== audience || !this.context.can(page.permission)) continue;
        const label = manifest.groups[page.group];
        const group = groups.get(page.group) || { label, entries: [] };
        group.entries.push(entryOf(service, page));
        groups.set(page.group, group);
      }
    }
    return [...groups.values()];
  }

  entries() {
    return this.menu().flatMap((group) => group.entries).filter((entry) => !entry.down);
  }

  async showRoute() {
    if (this.view !== "app") return;
    const entries = this.entries();
    const hash = location.hash.replace(/^#/, "");
    const entry = hash ? entries.find((candidate) => candidate.hash === hash) : entries.find((e) => !e.unavailable);
    if (!entry) {
      const down = this.services.some((service) => !service.up && hash.startsWith(`/${service.name}/`));
      this.page = down ? { failed: true } : hash || !entries.length ? { missing: true } : null;
      return;
    }
    if (!hash) {
      history.replaceState(null, "", `#${entry.hash}`);
    }
    if (entry.unavailable) {
      this.page = { entry, failed: true };
      return;
    }
    try {
      await import(entry.moduleUrl);
      await customElements.whenDefined(entry.element);
    } catch {
      this.page = { entry, failed: true };
      return;
    }
    const element = document.createElement(entry.element);
    element.shell = this.context;
    element.lang = this.lang;
    this.page = { entry, element };
    this.updateComplete.then(() => this.querySelector("#main h1, #main")?.focus?.());
  }

  // -- rendering --------------------------------------------------------------------------------------

  render() {
    const langSwitch = html`<div class="lang" role="group" aria-label=${this.t("language")}>
      ${["vi", "en"].map((lang) => html`<button type="button" aria-pressed=${String(this.lang === lang)}
        @click=${() => this.chooseLang(lang)}>${lang === "vi" ? "Tiếng Việt" : "English"}</button>`)}</div>`;
    return html`
      <a class="skip" href="#main" @click=${(e) => { e.preventDefault(); this.querySelector("#main")?.focus(); }}>
        ${this.t("skip")}</a>
      ${this.view === "app" ? this.renderApp(langSwitch) : this.renderEntry(langSwitch)}
      <section class="notifications" aria-live="polite" aria-label=${this.t("notifications")}>
        ${this.notices.map((notice) => html`<div class="notice ${notice.kind}" role=${notice.kind === "error" ? "alert" : "status"}>
          <span>${notice.text}</span>
          <button type="button" class="close" aria-label=${this.t("close")} @click=${() => this.dismiss(notice.id)}>×</button>
        </div>`)}
      </section>`;
  }

  renderEntry(langSwitch) {
    if (this.view === "loading") return html`<p class="loading" role="status">${this.t("loading")}</p>`;
    const support = this.view === "support-login";
    return html`<main id="main" class="login" tabindex="-1">
      ${langSwitch}
      <h1>${this.t("product")}</h1>
      <form @submit=${(event) => this.signIn(event, support ? "support" : "user")} aria-labelledby="login-title">
        <h2 id="login-title">${support ? this.t("supportSignIn") : this.t("signIn")}</h2>
        <label>${this.t("email")} <input name="email" type="email" autocomplete="username" required></label>
        <label>${this.t("password")}
          <input name="password" type="password" autocomplete="current-password" required></label>
        ${this.loginProblem ? html`<p class="problem" role="alert">${this.loginProblem.text(this.lang)}</p>` : nothing}
        <button type="submit">${this.t("signIn")}</button>
      </form>
      <button type="button" class="link" @click=${() => { this.loginProblem = null; this.view = support ? "login" : "support-login"; }}>
        ${support ? this.t("tenantSignIn") : this.t("supportSignIn")}</button>
    </main>`;
  }

  renderApp(langSwitch) {
    const acting = this.session.state.acting;
    const tenants = this.me?.tenants || [];
    return html`
      ${acting ? html`<div class="acting" role="status">
        ${this.t("acting")} <strong>${this.me?.tenant.name}</strong> (${acting.write ? this.t("canWrite") : this.t("readOnly")})
        — ${this.t("reason")}: ${acting.reason}
        <button type="button" @click=${() => this.signOut()}>${this.t("stopActing")}</button></div>` : nothing}
      <header class="top">
        <span class="brand">${this.t("product")}</span>
        ${tenants.length > 1 && !acting ? html`<label class="tenant">${this.t("company")}
          <select @change=${(e) => this.switchTenant(e.target.value)}>
            ${tenants.map((t) => html`<option value=${t.id} ?selected=${t.id === this.me.tenant.id}>${t.name}</option>`)}
          </select></label>` : html`<span class="tenant">${this.me?.tenant.name || this.t("support")}</span>`}
        ${langSwitch}
        <span class="who">${this.me?.email || ""}</span>
        ${acting ? nothing : html`<button type="button" class="secondary" @click=${() => this.signOut()}>${this.t("signOut")}</button>`}
      </header>
      <nav aria-label=${this.t("menu")}>${this.menu().map((group) => this.renderGroup(group))}</nav>
      <main id="main" tabindex="-1">${this.renderPage()}</main>`;
  }

  renderGroup(group) {
    const current = location.hash.replace(/^#/, "");
    return html`<div class="group">
      ${group.label ? html`<h2>${group.label[this.lang]}</h2>` : nothing}
      <ul>${group.entries.map((entry) => entry.down || entry.unavailable
        ? html`<li><span class="unavailable" aria-disabled="true" data-service=${entry.service}>
            ${entry.title ? entry.title[this.lang] : entry.service} (${this.t("unavailable")})</span></li>`
        : html`<li><a href="#${entry.hash}" aria-current=${current === entry.hash ? "page" : "false"}>
            ${entry.title[this.lang]}</a></li>`)}</ul></div>`;
  }

  renderPage() {
    if (!this.page) return nothing;
    if (this.page.missing) return html`<p>${this.entries().length ? this.t("noPage") : this.t("noPages")}</p>`;
    if (this.page.failed) {
      return html`<div class="problem" role="alert"><p>${this.t("pageUnavailable")}</p>
        <button type="button" @click=${() => this.retry()}>${this.t("retry")}</button></div>`;
    }
    return this.page.element;
  }

  async retry() {
    this.services = await loadManifests();
    await this.showRoute();
  }
}

function entryOf(service, page) {
  return {
    ...page,
    service: service.name,
    hash: `/${service.name}/${page.route}`,
    moduleUrl: new URL(page.module, service.manifestUrl).href,
    unavailable: !service.up,
  };
}

/** Every service's manifest, read now. A service that does not answer keeps its place in the menu, marked
 * unavailable, under the names of its last manifest seen (or its own name); the others are not held up. */
async function loadManifests() {
  const { services } = await fetch("/ui/services.json").then((response) => response.json());
  return Promise.all(services.map(async (name) => {
    const manifestUrl = new URL(`/api/${name}/ui/manifest.json`, location.href).href;
    try {
      const response = await fetch(manifestUrl, { signal: AbortSignal.timeout(MANIFEST_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`${response.status}`);
      const manifest = await response.json();
      localStorage.setItem(MANIFEST_KEY + name, JSON.stringify(manifest));
      return { name, manifestUrl, manifest, up: true };
    } catch {
      const seen = localStorage.getItem(MANIFEST_KEY + name);
      return { name, manifestUrl, manifest: seen ? JSON.parse(seen) : null, up: false };
    }
  }));
}

customElements.define("crm-shell", CrmShell);
