// Support staff: find a company by name, slug, owner email or id, see its plan, usage and status, its members,
// failing webhooks and failed jobs (retried with a reason), and act as one of its users for a stated reason
// (read-only unless write is asked; every request lands in its audit log).
import { CrmPage, formValues, html, nothing } from "crm-ui";
import "./support-billing.js";
import "./support-tenant-parts.js";

const API = "/api/identity/v1/support";
// The webhooks service's own element, given the company's id; while that service is down the rest still shows.
const WEBHOOKS_PART = "/api/webhooks/ui/support-failing.js";

class SupportTenantsPage extends CrmPage {
  static properties = { found: { state: true }, detail: { state: true }, webhooks: { state: true } };

  constructor() {
    super();
    this.found = null;
    this.detail = null;
    this.webhooks = "loading"; // then "ready" or "down"
    import(WEBHOOKS_PART).then(() => { this.webhooks = "ready"; }, () => { this.webhooks = "down"; });
  }

  renderWebhooks(tenantId) {
    if (this.webhooks === "ready") {
      return html`<webhooks-support-failing .shell=${this.shell} .lang=${this.lang} .tenantId=${tenantId}>
        </webhooks-support-failing>`;
    }
    return html`<h2>${this.t("Webhook đang lỗi", "Failing webhooks")}</h2>
      <p class="muted" role="status">${this.webhooks === "down"
        ? this.t("Dịch vụ webhook đang không dùng được.", "The webhooks service is unavailable.")
        : this.t("Đang tải…", "Loading…")}</p>`;
  }

  async search(event) {
    event.preventDefault();
    const { q } = formValues(event.target);
    const found = await this.act(() => this.api(`${API}/tenants`, { query: { q } }));
    if (found) {
      this.found = found;
      this.detail = null;
    }
  }

  async open(tenant) {
    this.detail = (await this.act(() => this.api(`${API}/tenants/${tenant.id}`))) || null;
  }

  async actAs(event) {
    event.preventDefault();
    const form = event.target;
    const { reason } = formValues(form);
    const write = form.elements.write.checked;
    const body = { tenant_id: this.detail.id, reason, write };
    const impersonation = await this.act(() => this.api(`${API}/impersonations`, { method: "POST", body }));
    if (impersonation) this.shell.actAs(impersonation, { reason, tenant_name: this.detail.name });
  }

  renderDetail() {
    const d = this.detail;
    if (!d) return nothing;
    return html`<h2>${d.name}</h2>
      <dl>
        <dt>${this.t("Mã", "Slug")}</dt><dd>${d.slug}</dd>
        <dt>${this.t("Trạng thái", "Status")}</dt><dd>${d.status}</dd>
        <dt>${this.t("Gói", "Plan")}</dt><dd>${d.plan}</dd>
        <dt>${this.t("Thành viên", "Members")}</dt><dd>${d.usage.members}</dd>
        <dt>${this.t("Khách hàng", "Customers")}</dt><dd>${d.usage.customers}</dd>
        <dt>${this.t("Chủ sở hữu", "Owner")}</dt><dd>${d.owner_email || "—"}</dd>
      </dl>
      <form @submit=${this.actAs} aria-label=${this.t("Đóng vai người dùng", "Act as a user")}>
        <label>${this.t("Lý do (ghi vào nhật ký của công ty)", "Reason (written to the company's audit log)")}
          <input name="reason" size="40" autocomplete="off"></label>
        <label class="inline"><input type="checkbox" name="write"> ${this.t("Cho phép ghi", "Allow writes")}</label>
        <button type="submit">${this.t("Đóng vai chủ sở hữu", "Act as the owner")}</button>
      </form>
      <identity-tenant-members .shell=${this.shell} .lang=${this.lang} .tenantId=${d.id}></identity-tenant-members>
      ${this.renderWebhooks(d.id)}
      <identity-tenant-failed-jobs .shell=${this.shell} .lang=${this.lang} .tenantId=${d.id}></identity-tenant-failed-jobs>
      <identity-tenant-billing .shell=${this.shell} .lang=${this.lang} .tenantId=${d.id}></identity-tenant-billing>`;
  }

  render() {
    return html`<h1>${this.t("Tìm công ty", "Find a company")}</h1>
      <form @submit=${this.search} role="search" aria-label=${this.t("Tìm công ty", "Find a company")}>
        <label>${this.t("Tên, slug, email chủ sở hữu hoặc mã", "Name, slug, owner email or id")}
          <input name="q" type="search" size="40"></label>
        <button type="submit">${this.t("Tìm", "Search")}</button>
      </form>
      ${this.renderProblem()}
      ${this.found ? this.table({ loaded: true, items: this.found }, [
        [this.t("Công ty", "Company"), (t) => html`<button class="secondary" @click=${() => this.open(t)}>${t.name}</button>`],
        [this.t("Mã", "Slug"), (t) => t.slug],
        [this.t("Chủ sở hữu", "Owner"), (t) => t.owner_email || "—"],
        [this.t("Trạng thái", "Status"), (t) => t.status],
        [this.t("Tạo lúc", "Created"), (t) => this.date(t.created_at)],
      ]) : nothing}
      ${this.renderDetail()}`;
  }
}

customElements.define("identity-support-tenants", SupportTenantsPage);
