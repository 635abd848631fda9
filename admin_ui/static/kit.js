// What a service's page imports as "crm-ui" (the shell's import map): the base class of pages, lit's
// templates, and a paged list. A page is a custom element; the shell sets two properties on it:
//   shell  - { api(path, {method, body, query}), can(permission), notify(text, kind), navigate(hash),
//              actAs(impersonation, details), user, tenant }
//   lang   - "vi" or "en"; set again when the user switches language, which re-renders the page.
// Rules stay on the server: a page sends what the user typed and shows the problem the API answers.

import { css, html, LitElement, nothing } from "lit";

export { css, html, nothing };

export const pageStyles = css`
  :host { display: block; color: var(--crm-text, #1f2933); font: inherit; }
  h1 { font-size: 1.4rem; margin: 0 0 1rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
  caption { text-align: left; font-weight: 600; padding: .3rem 0; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
  th { background: #f5f7fa; font-weight: 600; }
  form { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: flex-end; margin: .5rem 0 1rem;
         padding: .8rem; background: #f8fafc; border: 1px solid #e4e7eb; border-radius: 6px; }
  label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; }
  label.inline { flex-direction: row; align-items: center; gap: .4rem; }
  input, select, button, textarea { font: inherit; padding: .4rem .55rem; border: 1px solid #9aa5b1;
                                    border-radius: 4px; background: #fff; color: inherit; }
  select[multiple] { min-height: 6rem; }
  button { cursor: pointer; background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
  button.secondary { background: #fff; color: #1d4ed8; }
  button.danger { background: #fff; color: #b42318; border-color: #b42318; }
  button:focus-visible, input:focus-visible, select:focus-visible, a:focus-visible {
    outline: 3px solid #93c5fd; outline-offset: 1px; }
  button:disabled { opacity: .5; cursor: default; }
  .problem { border: 1px solid #b42318; background: #fef3f2; color: #7a271a; padding: .6rem .8rem;
             border-radius: 6px; margin: .5rem 0; }
  .problem ul { margin: .3rem 0 0; padding-left: 1.2rem; }
  .secret { border: 2px solid #147d3f; background: #ecfdf3; padding: .8rem; border-radius: 6px; margin: .5rem 0; }
  .secret code { display: block; word-break: break-all; font-size: 1rem; margin: .4rem 0; }
  fieldset { border: 1px solid #cbd2d9; border-radius: 4px; display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dt { font-weight: 600; }
  dd { margin: 0; }
  .muted { color: #616e7c; }
  .badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; background: #e4e7eb; font-size: .8rem; }
  .badge.off { background: #fee4e2; color: #912018; }
`;

/** The base class of a service's page. */
export class CrmPage extends LitElement {
  static properties = {
    shell: { attribute: false },
    lang: { reflect: true },
    problem: { state: true },
  };

  static styles = pageStyles;

  constructor() {
    super();
    this.lang = "vi";
    this.problem = null;
  }

  /** The text in the current language. */
  t(vi, en) {
    return this.lang === "en" ? en : vi;
  }

  api(path, options) {
    return this.shell.api(path, options);
  }

  /** Runs `call` (a request to the API). A refusal is kept in `this.problem` and shown by `renderProblem()`;
   * a success clears it and, when `done` is given, is announced in the notifications. */
  async act(call, done) {
    try {
      const result = await call();
      this.problem = null;
      if (done) this.shell.notify(done, "success");
      return result;
    } catch (error) {
      if (error.sessionEnded) return undefined;
      if (!error.problem) throw error;
      this.problem = error;
      return undefined;
    }
  }

  /** A refresh nobody asked for (a timer's): like `act`, but a success leaves a problem shown in place. */
  async refreshQuietly(call) {
    try {
      await call();
    } catch (error) {
      if (error.sessionEnded) return;
      if (!error.problem) throw error;
      this.problem = error;
    }
  }

  /** POSTs `body` to `path`; on success empties `form` and reloads `list`. Answers what the API created. */
  async createIn(list, form, path, body, done) {
    const created = await this.act(() => this.api(path, { method: "POST", body }), done);
    if (created) {
      form.reset();
      await this.act(() => list.reload());
    }
    return created;
  }

  /** Asks `question` ([vi, en]), then DELETEs `path` and reloads `list`. */
  async deleteFrom(list, path, question, done) {
    if (!this.confirm(...question)) return;
    await this.act(() => this.api(path, { method: "DELETE" }), done);
    await this.act(() => list.reload());
  }

  renderProblem() {
    if (!this.problem) return nothing;
    const fields = this.problem.fields(this.lang);
    return html`<div class="problem" role="alert">
      <strong>${this.problem.text(this.lang)}</strong>
      ${fields.length ? html`<ul>${fields.map((f) => html`<li>${f.field ? `${f.field}: ` : ""}${f.message}</li>`)}</ul>`
                      : nothing}
    </div>`;
  }

  /** A table of `list`'s rows: `columns` is [[header, row => cell], ...]; a "load more" button when the
   * API has a next page. */
  table(list, columns, caption) {
    if (!list.loaded) return html`<p class="muted" role="status">${this.t("Đang tải…", "Loading…")}</p>`;
    if (!list.items.length) return html`<p class="muted">${this.t("Chưa có dữ liệu.", "Nothing here yet.")}</p>`;
    return html`<div class="table-wrap"><table>
        ${caption ? html`<caption>${caption}</caption>` : nothing}
        <thead><tr>${columns.map(([header]) => html`<th scope="col">${header}</th>`)}</tr></thead>
        <tbody>${list.items.map((row) => html`<tr>${columns.map(([, cell]) => html`<td>${cell(row)}</td>`)}</tr>`)}
        </tbody></table></div>
      ${list.next ? html`<button class="secondary" @click=${() => this.act(() => list.more())}>
                      ${this.t("Tải thêm", "Load more")}</button>` : nothing}`;
  }

  date(value) {
    return value ? new Date(value).toLocaleString(this.lang === "en" ? "en-GB" : "vi-VN") : "";
  }

  confirm(vi, en) {
    return window.confirm(this.t(vi, en));
  }
}

/** The form's fields as an object, leaving out empty ones so that the API's defaults apply. */
export function formValues(form) {
  return Object.fromEntries([...new FormData(form)].filter(([, value]) => value !== ""));
}

/** A list from the API, a page at a time (`{items, next_cursor}`; a plain array is one page). Loads when the
 * page is shown; `reload(query)` starts again, e.g. with new filters. */
export class PagedList {
  constructor(host, path, query = {}) {
    this.host = host;
    this.path = path;
    this.query = query;
    this.items = [];
    this.next = null;
    this.loaded = false;
    host.addController(this);
  }

  hostConnected() {
    // A list loading in the background must not clear a problem the user's own action got meanwhile.
    this.host.refreshQuietly(() => this.reload());
  }

  async reload(query = this.query) {
    this.query = query;
    this.apply(await this.host.api(this.path, { query }), []);
  }

  async more() {
    this.apply(await this.host.api(this.path, { query: { ...this.query, cursor: this.next } }), this.items);
  }

  apply(data, before) {
    const page = Array.isArray(data) ? { items: data, next_cursor: null } : data;
    this.items = [...before, ...page.items];
    this.next = page.next_cursor;
    this.loaded = true;
    this.host.requestUpdate();
  }
}

/** An amount in minor units (VND has none, so đồng) in the user's language. */
export function money(page, amount, currency) {
  const locale = page.lang === "en" ? "en-GB" : "vi-VN";
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
}

/** PATCHes `body` to `path` for `page`; on success reloads `list`. Answers what the API changed. */
export async function patchIn(page, list, path, body, done) {
  const changed = await page.act(() => page.api(path, { method: "PATCH", body }), done);
  if (changed) await page.act(() => list.reload());
  return changed;
}

/** `body` with its `names` fields, typed into number inputs, sent as JSON numbers (the API checks them). */
export function asNumbers(body, ...names) {
  for (const name of names) if (name in body) body[name] = Number(body[name]);
  return body;
}
