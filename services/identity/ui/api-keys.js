// API keys for integrations: create one (its secret is shown here once, never again), see them, revoke one.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";

const API = "/api/identity/v1";

class ApiKeysPage extends CrmPage {
  static properties = { created: { state: true } };

  keys = new PagedList(this, `${API}/api-keys`);

  constructor() {
    super();
    this.created = null; // the key just created, with its secret: kept in this page only, never stored
  }

  async create(event) {
    event.preventDefault();
    const form = event.target;
    const { name, scopes = "", expires_at: expires } = formValues(form);
    const body = { name, scopes: scopes.split(/[\s,]+/).filter(Boolean) };
    if (expires) body.expires_at = new Date(expires).toISOString();
    this.created = (await this.createIn(this.keys, form, `${API}/api-keys`, body)) || null;
  }

  revoke(key) {
    return this.deleteFrom(this.keys, `${API}/api-keys/${key.id}`,
                           [`Thu hồi khóa ${key.name}? Các hệ thống dùng nó sẽ bị từ chối ngay.`,
                            `Revoke the key ${key.name}? Systems using it are refused at once.`],
                           this.t("Đã thu hồi khóa.", "The key was revoked."));
  }

  renderSecret() {
    if (!this.created) return nothing;
    return html`<div class="secret" role="status">
      <strong>${this.t("Khóa mới của bạn — chỉ hiển thị một lần, hãy lưu lại ngay:",
                        "Your new key — shown this once only, save it now:")}</strong>
      <code data-secret>${this.created.key}</code>
      <button class="secondary" @click=${() => navigator.clipboard?.writeText(this.created.key)}>
        ${this.t("Sao chép", "Copy")}</button>
      <button @click=${() => (this.created = null)}>${this.t("Tôi đã lưu khóa", "I have saved it")}</button>
    </div>`;
  }

  render() {
    return html`<h1>${this.t("Khóa API", "API keys")}</h1>
      <form @submit=${this.create} aria-label=${this.t("Tạo khóa API", "Create an API key")}>
        <label>${this.t("Tên", "Name")} <input name="name" autocomplete="off"></label>
        <label>${this.t("Phạm vi (cách nhau bởi dấu phẩy)", "Scopes (comma separated)")}
          <input name="scopes" value="*:read" placeholder="contacts:read, pipeline:write"></label>
        <label>${this.t("Hết hạn (không bắt buộc)", "Expires (optional)")} <input name="expires_at" type="datetime-local"></label>
        <button type="submit">${this.t("Tạo khóa", "Create key")}</button>
      </form>
      ${this.renderProblem()}
      ${this.renderSecret()}
      ${this.table(this.keys, [
        [this.t("Tên", "Name"), (k) => k.name],
        [this.t("Tiền tố", "Prefix"), (k) => html`<code>${k.prefix}</code>`],
        [this.t("Phạm vi", "Scopes"), (k) => k.scopes.join(", ")],
        [this.t("Dùng lần cuối", "Last used"), (k) => this.date(k.last_used_at) || "—"],
        [this.t("Hết hạn", "Expires"), (k) => this.date(k.expires_at) || "—"],
        [this.t("Trạng thái", "Status"), (k) => (k.revoked_at
          ? html`<span class="badge off">${this.t("Đã thu hồi", "Revoked")}</span>` : this.t("Đang dùng", "Active"))],
        ["", (k) => (k.revoked_at ? "" : html`<button class="danger" @click=${() => this.revoke(k)}>
          ${this.t("Thu hồi", "Revoke")}</button>`)],
      ])}`;
  }
}

customElements.define("identity-api-keys", ApiKeysPage);
