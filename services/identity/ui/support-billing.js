// Support staff: a company's billing (subscription, Stripe ids, usage, Stripe event history) and putting the
// company on a plan with a reason. Shown inside the support console's company detail.
import { CrmPage, formValues, html, nothing } from "crm-ui";
import { planOptions, renderSubscription, renderUsage } from "./billing-parts.js";

const API = "/api/identity/v1/support";

class TenantBilling extends CrmPage {
  static properties = { tenantId: { attribute: false }, billing: { state: true }, plans: { state: true } };

  constructor() {
    super();
    this.billing = null;
    this.plans = [];
  }

  willUpdate(changed) {
    if (changed.has("tenantId") && this.tenantId) this.load();
  }

  async load() {
    const loaded = await this.act(() => Promise.all([
      this.api(`${API}/tenants/${this.tenantId}/billing`), this.api(`${API}/plans`)]));
    if (loaded) [this.billing, this.plans] = loaded;
  }

  async setPlan(event) {
    event.preventDefault();
    const form = event.target;
    const done = await this.act(
      () => this.api(`${API}/tenants/${this.tenantId}/plan`, { method: "PUT", body: formValues(form) }),
      this.t("Đã đổi gói.", "Plan changed."));
    if (done) {
      form.reset();
      await this.load();
    }
  }

  render() {
    const b = this.billing;
    return html`<h2>${this.t("Thanh toán", "Billing")}</h2>
      ${this.renderProblem()}
      ${b ? html`
        ${renderSubscription(this, b.subscription)}
        <dl>
          <dt>${this.t("Mã khách hàng Stripe", "Stripe customer id")}</dt><dd>${b.stripe_customer_id || "—"}</dd>
          <dt>${this.t("Mã thuê bao Stripe", "Stripe subscription id")}</dt><dd>${b.stripe_subscription_id || "—"}</dd>
        </dl>
        ${renderUsage(this, b.usage)}
        <form @submit=${this.setPlan} aria-label=${this.t("Đổi gói của công ty", "Set the company's plan")}>
          <label>${this.t("Gói mới", "New plan")}
            <select name="plan">${planOptions(this.plans, b.subscription.plan.code)}</select></label>
          <label>${this.t("Kỳ thanh toán", "Billing period")} <select name="period">
            <option value="monthly">${this.t("Hằng tháng", "Monthly")}</option>
            <option value="yearly">${this.t("Hằng năm", "Yearly")}</option></select></label>
          <label>${this.t("Căn cứ đổi gói (ghi vào nhật ký)", "Why (written to the audit log)")} <input name="reason" size="30"
            autocomplete="off"></label>
          <button type="submit">${this.t("Đổi gói", "Set plan")}</button>
        </form>
        <h3>${this.t("Sự kiện thanh toán từ Stripe", "Billing events from Stripe")}</h3>
        ${this.table({ loaded: true, items: b.events }, [
          [this.t("Sự kiện", "Event"), (e) => e.type],
          [this.t("Mã", "Id"), (e) => e.event_id],
          [this.t("Stripe tạo lúc", "Created at Stripe"), (e) => this.date(e.event_created)],
          [this.t("Nhận lúc", "Received"), (e) => this.date(e.received_at)],
          [this.t("Xử lý lúc", "Processed"), (e) => this.date(e.processed_at)],
          [this.t("Kết quả", "Outcome"), (e) => e.outcome],
        ])}` : nothing}`;
  }
}

customElements.define("identity-tenant-billing", TenantBilling);
