// Support staff: parts of the support console's company detail, each given the company's id (`tenantId`):
// its members (read-only) and its failed job runs, each retried with a reason (written to its audit log).
import { CrmPage, html, PagedList } from "crm-ui";
import { retryButton, retryForm, runColumns } from "./jobs-parts.js";

const API = "/api/identity/v1/support";

/** A CrmPage showing one list of the company `tenantId`, made again whenever another company is opened. */
class TenantList extends CrmPage {
  static properties = { tenantId: { attribute: false } };

  list = null;

  willUpdate(changed) {
    if (!changed.has("tenantId") || !this.tenantId) return;
    if (this.list) this.removeController(this.list);
    this.list = this.makeList(); // added while connected: it loads at once
  }
}

class TenantMembers extends TenantList {
  makeList() {
    return new PagedList(this, `${API}/tenants/${this.tenantId}/members`);
  }

  render() {
    if (!this.list) return html``;
    return html`<h2>${this.t("Thành viên", "Members")}</h2>
      ${this.renderProblem()}
      ${this.table(this.list, [
        [this.t("Email", "Email"), (m) => m.email],
        [this.t("Họ tên", "Name"), (m) => m.full_name || "—"],
        [this.t("Vai trò", "Role"), (m) => m.role],
        [this.t("Trạng thái", "Status"), (m) => (m.is_active
          ? html`<span class="badge">${this.t("đang hoạt động", "active")}</span>`
          : html`<span class="badge off">${this.t("đã vô hiệu hoá", "deactivated")}</span>`)],
        [this.t("Đăng nhập gần nhất", "Last login"), (m) => this.date(m.last_login_at) || "—"],
        [this.t("Tham gia", "Joined"), (m) => this.date(m.joined_at)],
      ], this.t("Thành viên của công ty", "The company's members"))}`;
  }
}

class TenantFailedJobs extends TenantList {
  static properties = { retrying: { state: true } };

  constructor() {
    super();
    this.retrying = null; // {tenant_id, run_id, name}: the run a reason is asked for
  }

  makeList() {
    this.retrying = null;
    return new PagedList(this, `${API}/tenants/${this.tenantId}/job-runs`, { status: "failed" });
  }

  render() {
    if (!this.list) return html``;
    return html`<h2>${this.t("Công việc lỗi", "Failed jobs")}</h2>
      ${this.renderProblem()}
      ${retryForm(this, () => this.act(() => this.list.reload()))}
      ${this.table(this.list, runColumns(this, (r) => retryButton(this, this.tenantId, r.id, r.name)),
                   this.t("Các lần chạy lỗi của công ty", "The company's failed runs"))}`;
  }
}

customElements.define("identity-tenant-members", TenantMembers);
customElements.define("identity-tenant-failed-jobs", TenantFailedJobs);
