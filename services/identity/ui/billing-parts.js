// What the company's billing page and the support console both show: the subscription and usage against quotas.
// Plain template functions over the API's answers; `page` is the CrmPage that renders them (for t() and date()).
import { html, nothing } from "crm-ui";

const QUOTA_NAMES = {
  seats: ["Thành viên", "Seats"],
  customers: ["Khách hàng", "Customers"],
  storage_bytes: ["Dung lượng lưu trữ (byte)", "Storage (bytes)"],
  webhook_endpoints: ["Điểm nhận webhook", "Webhook endpoints"],
  custom_attributes: ["Thuộc tính tùy chỉnh", "Custom attributes"],
};

export function renderSubscription(page, s) {
  return html`
    ${s.banner ? html`<div class="problem" role="alert" data-banner=${s.banner.code}>
      <strong>${page.t(s.banner.message_vi, s.banner.message_en)}</strong>
      ${s.banner.read_only_from ? html`<div>${page.t("Chỉ đọc từ", "Read-only from")}
        ${page.date(s.banner.read_only_from)}</div>` : nothing}
    </div>` : nothing}
    <dl data-subscription>
      <dt>${page.t("Gói", "Plan")}</dt><dd data-plan>${s.plan.name}</dd>
      <dt>${page.t("Kỳ thanh toán", "Billing period")}</dt><dd>${s.period}</dd>
      <dt>${page.t("Trạng thái thuê bao", "Subscription status")}</dt><dd>${s.status}</dd>
      <dt>${page.t("Trạng thái công ty", "Company status")}</dt><dd>${s.tenant_status}</dd>
      ${s.trial_ends_at ? html`<dt>${page.t("Hết dùng thử", "Trial ends")}</dt>
        <dd>${page.date(s.trial_ends_at)}</dd>` : nothing}
      ${s.current_period_end ? html`<dt>${page.t("Hết kỳ hiện tại", "Current period ends")}</dt>
        <dd>${page.date(s.current_period_end)}</dd>` : nothing}
      ${s.cancel_at_period_end ? html`<dt>${page.t("Hủy", "Cancels")}</dt>
        <dd>${page.t("khi hết kỳ", "at the end of the period")}</dd>` : nothing}
      ${s.past_due_since ? html`<dt>${page.t("Quá hạn từ", "Past due since")}</dt>
        <dd>${page.date(s.past_due_since)}</dd>` : nothing}
    </dl>`;
}

export function renderUsage(page, quotas) {
  return page.table({ loaded: true, items: quotas }, [
    [page.t("Hạn mức", "Quota"), (q) => page.t(...(QUOTA_NAMES[q.quota] || [q.quota, q.quota]))],
    [page.t("Đã dùng", "Used"), (q) => String(q.used)],
    [page.t("Giới hạn", "Limit"), (q) => (q.limit === null ? page.t("Không giới hạn", "Unlimited") : String(q.limit))],
  ], page.t("Mức sử dụng", "Usage"));
}

/** A plan chooser's options, each named by the plan. */
export function planOptions(plans, selected) {
  return plans.map((p) => html`<option value=${p.code} ?selected=${p.code === selected}>${p.name}</option>`);
}
