// Discount targets: a partner's revenue or quantity target for a month, quarter or year with tiered rebates, and
// its progress today (or its result once the period is closed).
import { asNumbers, CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { allPartners, API, label, money, partnerName, partnerPicker, PERIODS, thisMonth } from "./shared.js";

const TARGETS = `${API}/targets`;

/** "100:200, 120:350" → [{threshold_percent: 100, rate_bp: 200}, ...] (the API checks the numbers). */
function parseTiers(text) {
  return text.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const [threshold, rate] = part.split(":").map((n) => Number(n.trim()));
    return { threshold_percent: threshold, rate_bp: rate };
  });
}

class TargetsPage extends CrmPage {
  targets = new PagedList(this, TARGETS);
  partners = allPartners(this);

  filter(event) {
    const query = formValues(event.target.form);
    return this.act(() => this.targets.reload(query));
  }

  create(event) {
    event.preventDefault();
    const body = asNumbers(formValues(event.target), "target");
    body.tiers = parseTiers(body.tiers ?? "");
    return this.createIn(this.targets, event.target, TARGETS, body, this.t("Đã đặt chỉ tiêu.", "Target set."));
  }

  amount(target, value) {
    return target.metric === "revenue" ? money(this, value, target.currency) : value.toLocaleString(this.lang === "en" ? "en-GB" : "vi-VN");
  }

  progress(target) {
    const percent = Math.round(target.attainment_percent);
    const shown = Math.min(percent, 100);
    const name = partnerName(this.partners, target.partner_id);
    return html`<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${shown}
        aria-label=${this.t(`Tiến độ ${name}`, `Progress of ${name}`)} data-target=${target.id}>
        <span style="width: ${shown}%"></span></div>
      <span data-attainment>${target.attainment_percent}%</span>
      <span class="muted">${this.amount(target, target.achieved)} / ${this.amount(target, target.target)}</span>`;
  }

  render() {
    const write = this.shell.can("partners:write");
    return html`<style>
        .bar { display: inline-block; width: 12rem; height: .9rem; background: #e4e7eb; border-radius: 999px;
               overflow: hidden; vertical-align: middle; margin-right: .4rem; }
        .bar span { display: block; height: 100%; background: #147d3f; }
      </style>
      <h1>${this.t("Chỉ tiêu chiết khấu", "Discount targets")}</h1>
      <form aria-label=${this.t("Lọc chỉ tiêu", "Filter targets")} @change=${this.filter} @submit=${(e) => e.preventDefault()}>
        ${partnerPicker(this, this.partners, "partner_id", this.t("Đối tác", "Partner"), false)}
      </form>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Đặt chỉ tiêu", "Set a target")}>
        ${partnerPicker(this, this.partners, "partner_id", this.t("Đối tác", "Partner"))}
        <label>${this.t("Kỳ", "Period")} <select name="period">${Object.keys(PERIODS).map((p) => html`<option value=${p}>${label(this, PERIODS, p)}</option>`)}</select></label>
        <label>${this.t("Bắt đầu kỳ", "Period start")} <input name="period_start" type="date" required .value=${thisMonth()}></label>
        <label>${this.t("Đo theo", "Metric")} <select name="metric"><option value="revenue">${this.t("Doanh số", "Revenue")}</option>
          <option value="quantity">${this.t("Số lượng", "Quantity")}</option></select></label>
        <label>${this.t("Chỉ tiêu", "Target")} <input name="target" type="number" min="1" required></label>
        <label>${this.t("Bậc thưởng (ngưỡng %:điểm cơ bản)", "Rebate tiers (threshold %:basis points)")}
          <input name="tiers" placeholder="100:200, 120:350" required></label>
        <button type="submit">${this.t("Đặt chỉ tiêu", "Set target")}</button></form>` : nothing}
      ${this.renderProblem()}
      ${this.table(this.targets, [
        [this.t("Đối tác", "Partner"), (t) => partnerName(this.partners, t.partner_id)],
        [this.t("Kỳ", "Period"), (t) => `${label(this, PERIODS, t.period)} ${t.period_start} → ${t.period_end}`],
        [this.t("Tiến độ", "Progress"), (t) => this.progress(t)],
        [this.t("Bậc đạt", "Tier reached"), (t) => `${(t.rate_bp / 100).toFixed(2)}%`],
        [this.t("Thưởng", "Rebate"), (t) => money(this, t.rebate, t.currency)],
        [this.t("Trạng thái", "Status"), (t) => (t.status === "closed" ? this.t("đã chốt", "closed") : this.t("đang chạy", "open"))],
      ], this.t("Chỉ tiêu và tiến độ", "Targets and progress"))}`;
  }
}

customElements.define("partners-targets", TargetsPage);
