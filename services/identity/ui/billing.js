// The company's billing: plan and subscription status (with the payment banner), usage against each quota,
// upgrade through Stripe Checkout and Stripe's customer portal. Without Stripe (local mode) the API refuses
// checkout and portal with a problem, shown here as any other.
import { CrmPage, formValues, html, nothing } from "crm-ui";
import { planOptions, renderSubscription, renderUsage } from "./billing-parts.js";

const API = "/api/identity/v1/billing";

class BillingPage extends CrmPage {
  static properties = { subscription: { state: true }, usage: { state: true }, plans: { state: true } };

  constructor() {
    super();
    this.subscription = null;
    this.usage = null;
    this.plans = [];
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    const loaded = await this.act(() => Promise.all([this.api(API), this.api(`${API}/usage`), this.api(`${API}/plans`)]));
    if (loaded) [this.subscription, this.usage, this.plans] = loaded;
  }

  // Stripe's page takes over; the API answers where it is.
  async goTo(path, body) {
    const redirect = await this.act(() => this.api(`${API}/${path}`, { method: "POST", body }));
    if (redirect) window.location.assign(redirect.url);
  }

  upgrade(event) {
    event.preventDefault();
    return this.goTo("checkout", formValues(event.target));
  }

  render() {
    const s = this.subscription;
    return html`<h1>${this.t("Gói dịch vụ và thanh toán", "Plan and billing")}</h1>
      ${this.renderProblem()}
      ${s ? html`
        ${renderSubscription(this, s)}
        ${this.usage ? renderUsage(this, this.usage.quotas) : nothing}
        <h2>${this.t("Đổi gói", "Change plan")}</h2>
        <form @submit=${this.upgrade} aria-label=${this.t("Nâng cấp gói", "Upgrade the plan")}>
          <label>${this.t("Gói", "Plan")} <select name="plan">${planOptions(this.plans, s.plan.code)}</select></label>
          <label>${this.t("Kỳ thanh toán", "Billing period")} <select name="period">
            <option value="monthly">${this.t("Hằng tháng", "Monthly")}</option>
            <option value="yearly">${this.t("Hằng năm", "Yearly")}</option></select></label>
          <button type="submit">${this.t("Nâng cấp", "Upgrade")}</button>
        </form>
        <button class="secondary" @click=${() => this.goTo("portal")}>
          ${this.t("Quản lý thanh toán và hóa đơn", "Manage payment and invoices")}</button>`
      : this.problem ? nothing : html`<p class="muted" role="status">${this.t("Đang tải…", "Loading…")}</p>`}`;
  }
}

customElements.define("identity-billing", BillingPage);
