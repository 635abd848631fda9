// Support staff: the webhook endpoints failing (no success since their first failure) or switched off by the
// product, across every company, longest failing first. Read-only: a company's admin fixes its endpoint.
// Given a company's id (`tenantId`, as the support console's company detail does), that company's alone.
import { CrmPage, html, PagedList } from "crm-ui";

const API = "/api/webhooks/v1/support/failing-endpoints";

class FailingEndpointsPage extends CrmPage {
  static properties = { tenantId: { attribute: false } };

  failing = null;

  willUpdate(changed) {
    if (this.failing && !changed.has("tenantId")) return;
    if (this.failing) this.removeController(this.failing);
    const query = this.tenantId ? { limit: 200, tenant_id: this.tenantId } : { limit: 200 };
    this.failing = new PagedList(this, API, query); // added while connected: it loads at once
  }

  reason(e) {
    if (e.enabled) return html`<span class="badge off">${this.t("đang lỗi", "failing")}</span>`;
    const why = { gone: this.t("trả 410", "answered 410"), failing: this.t("lỗi nhiều ngày", "failing for days") };
    return html`<span class="badge off">${this.t("đã tắt", "off")}: ${why[e.disabled_reason] || e.disabled_reason}</span>`;
  }

  render() {
    const title = this.t("Webhook đang lỗi", "Failing webhooks");
    return html`${this.tenantId ? html`<h2>${title}</h2>` : html`<h1>${title}</h1>`}
      <p class="muted">${this.t("Các điểm nhận chưa nhận thành công kể từ lần lỗi đầu, hoặc đã bị hệ thống tắt.",
                                "Endpoints with no success since their first failure, or switched off by the product.")}</p>
      <button class="secondary" @click=${() => this.act(() => this.failing.reload())}>${this.t("Làm mới", "Refresh")}</button>
      ${this.renderProblem()}
      ${this.table(this.failing, [
        ...(this.tenantId ? [] : [[this.t("Công ty", "Company"), (e) => e.tenant_name]]),
        ["URL", (e) => html`<code>${e.url}</code>`],
        [this.t("Mô tả", "Description"), (e) => e.description],
        [this.t("Tình trạng", "State"), (e) => this.reason(e)],
        [this.t("Lỗi từ", "Failing since"), (e) => this.date(e.failing_since) || "—"],
        [this.t("Cập nhật", "Updated"), (e) => this.date(e.updated_at)],
      ], this.tenantId ? this.t("Điểm nhận đang lỗi của công ty", "The company's failing endpoints")
                       : this.t("Điểm nhận đang lỗi", "Failing endpoints"))}`;
  }
}

customElements.define("webhooks-support-failing", FailingEndpointsPage);
