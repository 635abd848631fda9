// The reporting dashboard: every indicator as a chart and a table, this period against the previous one, in
// Vietnamese or English; each chart saves as PNG or SVG. Figures come from the read-only indicator API, under
// the caller's data visibility.
import { CrmPage, css, formValues, html, nothing, pageStyles } from "crm-ui";
import { barChart, chartTable, savePng, saveSvg } from "./charts.js";

const API = "/api/reporting/v1/indicators";
const LIFECYCLE = { raw: ["Thô", "Raw"], lead: ["Tiềm năng", "Lead"], customer: ["Khách hàng", "Customer"],
                    member: ["Thành viên", "Member"], loyal: ["Thân thiết", "Loyal"] };
const BUCKETS = [["current", "Chưa đến hạn", "Not yet due"], ["days_0_30", "1-30 ngày", "1-30 days"],
                 ["days_31_60", "31-60 ngày", "31-60 days"], ["days_61_90", "61-90 ngày", "61-90 days"],
                 ["days_over_90", "Trên 90 ngày", "Over 90 days"]];

class DashboardPage extends CrmPage {
  static properties = { customers: { state: true }, pipeline: { state: true }, debt: { state: true } };

  static styles = [pageStyles, css`
    .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(660px, 1fr)); gap: 1rem; }
    section.chart { border: 1px solid #e4e7eb; border-radius: 6px; padding: .6rem; overflow-x: auto; }
    section.chart h2 { margin: 0 0 .4rem; }
    .saves { display: flex; gap: .5rem; margin: .3rem 0; }
    .period { margin: 0 0 .8rem; }
  `];

  constructor() {
    super();
    this.customers = null;
    this.pipeline = null;
    this.debt = null;
    this.query = {};
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    const [customers, pipeline, debt] = await Promise.all([
      this.act(() => this.api(`${API}/customers`, { query: this.query })),
      this.act(() => this.api(`${API}/pipeline`, { query: this.query })),
      this.act(() => this.api(`${API}/debt`)),
    ]);
    Object.assign(this, { customers, pipeline, debt });
  }

  filter(event) {
    event.preventDefault();
    this.query = formValues(event.target);
    this.load();
  }

  /** This month or this year so far, against the whole previous one. */
  choose(span) {
    const today = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const year = today.getFullYear();
    this.query = span === "year" ? { date_from: `${year}-01-01`, date_to: `${year}-12-31` }
      : { date_from: `${year}-${pad(today.getMonth() + 1)}-01`,
          date_to: `${year}-${pad(today.getMonth() + 1)}-${pad(new Date(year, today.getMonth() + 1, 0).getDate())}` };
    this.load();
  }

  periodName(period) {
    return `${new Date(period.date_from).toLocaleDateString(this.lang === "en" ? "en-GB" : "vi-VN")} – ${
      new Date(period.date_to).toLocaleDateString(this.lang === "en" ? "en-GB" : "vi-VN")}`;
  }

  /** Every chart the figures make, in the page's language. */
  specs() {
    const t = this.t.bind(this);
    const specs = [];
    const c = this.customers;
    const p = this.pipeline;
    const compare = (period, previous) => [`${t("Kỳ này", "This period")} (${this.periodName(period)})`,
                                           `${t("Kỳ trước", "Previous period")} (${this.periodName(previous)})`];
    if (c && p) {
      const [now, before] = compare(c.period, c.previous_period);
      specs.push({ id: "comparison", title: t("So sánh với kỳ trước", "Against the previous period"),
                   categoryHeader: t("Chỉ số", "Indicator"),
                   categories: [t("Khách hàng mới", "New customers"), t("Cơ hội mới", "New opportunities"),
                                t("Cơ hội thắng", "Won"), t("Cơ hội thua", "Lost")],
                   series: [{ name: now, values: [c.new_customers, p.current.created, p.current.won, p.current.lost] },
                            { name: before, values: [c.new_customers_previous, p.previous.created, p.previous.won,
                                                     p.previous.lost] }] });
      specs.push({ id: "rates", title: t("Tỷ lệ thắng (%) và chu kỳ bán hàng (ngày)", "Win rate (%) and sales cycle (days)"),
                   categoryHeader: t("Chỉ số", "Indicator"),
                   categories: [t("Tỷ lệ thắng (%)", "Win rate (%)"), t("Chu kỳ bán hàng (ngày)", "Sales cycle (days)")],
                   series: [{ name: now, values: [p.current.win_rate, p.current.average_cycle_days] },
                            { name: before, values: [p.previous.win_rate, p.previous.average_cycle_days] }] });
      specs.push({ id: "values", title: t("Giá trị cơ hội", "Opportunity value"), format: "money",
                   currency: p.currency, categoryHeader: t("Chỉ số", "Indicator"),
                   categories: [t("Giá trị cơ hội mới", "New opportunity value"), t("Giá trị thắng", "Won value")],
                   series: [{ name: now, values: [p.current.created_value, p.current.won_value] },
                            { name: before, values: [p.previous.created_value, p.previous.won_value] }] });
    }
    if (c) {
      specs.push({ id: "new-customers", title: t("Khách hàng mới theo thời gian", "New customers over time"),
                   categoryHeader: c.series_grain === "day" ? t("Ngày", "Day") : t("Tháng", "Month"),
                   categories: c.series.map((d) => d.day),
                   series: [{ name: t("Khách hàng mới", "New customers"), values: c.series.map((d) => d.customers) }] });
      specs.push({ id: "funnel", title: t("Phễu vòng đời khách hàng", "Customer lifecycle funnel"),
                   categoryHeader: t("Giai đoạn", "Stage"),
                   categories: c.funnel.map((s) => t(...LIFECYCLE[s.lifecycle_stage])),
                   series: [{ name: t("Đang ở giai đoạn", "At the stage"), values: c.funnel.map((s) => s.customers) },
                            { name: t("Đã đạt tới", "Reached"), values: c.funnel.map((s) => s.reached) },
                            { name: t("Chuyển tiếp (%)", "Went further (%)"),
                              values: c.funnel.map((s) => s.conversion_to_next) }] });
      specs.push({ id: "statuses", title: t("Tình trạng quan hệ", "Relationship statuses"),
                   categoryHeader: t("Tình trạng", "Status"),
                   categories: c.statuses.map((s) => s.name || t("(chưa có)", "(none)")),
                   series: [{ name: t("Khách hàng", "Customers"), values: c.statuses.map((s) => s.customers) }] });
      specs.push({ id: "sources", title: t("Hiệu quả nguồn khách hàng", "Source effectiveness"), format: "money",
                   categoryHeader: t("Nguồn", "Source"),
                   categories: c.sources.map((s) => s.name || t("(chưa có)", "(none)")),
                   series: [{ name: t("Doanh thu", "Revenue"), values: c.sources.map((s) => s.revenue) }] });
      specs.push({ id: "source-customers", title: t("Khách hàng mới theo nguồn", "New customers per source"),
                   categoryHeader: t("Nguồn", "Source"),
                   categories: c.sources.map((s) => s.name || t("(chưa có)", "(none)")),
                   series: [{ name: t("Khách hàng mới", "New customers"), values: c.sources.map((s) => s.customers) }] });
    }
    if (p) {
      const stages = p.by_stage.map((s) => t(s.name_vi, s.name_en) || t("(chưa có)", "(none)"));
      specs.push({ id: "pipeline", title: t("Cơ hội đang mở theo giai đoạn", "Open opportunities by stage"),
                   format: "money", currency: p.currency, categoryHeader: t("Giai đoạn", "Stage"), categories: stages,
                   series: [{ name: t("Giá trị", "Value"), values: p.by_stage.map((s) => s.value) },
                            { name: t("Giá trị theo xác suất", "Weighted value"),
                              values: p.by_stage.map((s) => s.weighted_value) }] });
      specs.push({ id: "pipeline-count", title: t("Số cơ hội đang mở theo giai đoạn", "Open opportunities per stage"),
                   categoryHeader: t("Giai đoạn", "Stage"), categories: stages,
                   series: [{ name: t("Cơ hội", "Opportunities"), values: p.by_stage.map((s) => s.opportunities) }] });
      const reasons = new Map();
      for (const [i, list] of [p.lost_reasons, p.lost_reasons_previous].entries()) {
        for (const r of list) {
          const row = reasons.get(r.lost_reason_id) ?? { name: t(r.name_vi, r.name_en) || t("(chưa có)", "(none)"),
                                                         values: [0, 0] };
          row.values[i] = r.opportunities;
          reasons.set(r.lost_reason_id, row);
        }
      }
      const [now, before] = compare(p.period, p.previous_period);
      specs.push({ id: "lost-reasons", title: t("Lý do thất bại", "Lost reasons"),
                   categoryHeader: t("Lý do", "Reason"), categories: [...reasons.values()].map((r) => r.name),
                   series: [{ name: now, values: [...reasons.values()].map((r) => r.values[0]) },
                            { name: before, values: [...reasons.values()].map((r) => r.values[1]) }] });
      specs.push({ id: "activities", title: t("Hoạt động theo nhân viên", "Activities per salesperson"),
                   categoryHeader: t("Nhân viên", "Salesperson"), categories: p.activities.map((a) => a.name),
                   series: [{ name: t("Cuộc gọi", "Calls"), values: p.activities.map((a) => a.calls) },
                            { name: t("Gặp mặt", "Meetings"), values: p.activities.map((a) => a.meetings) },
                            { name: t("Đã xong", "Done"), values: p.activities.map((a) => a.done) },
                            { name: t("Quá hạn", "Overdue"), values: p.activities.map((a) => a.overdue) }] });
      specs.push({ id: "targets", title: t("Chỉ tiêu và thực hiện của nhân viên", "Salesperson targets vs actuals"),
                   format: "money", categoryHeader: t("Nhân viên", "Salesperson"),
                   categories: p.targets.map((x) => x.name),
                   series: [{ name: t("Chỉ tiêu", "Target"), values: p.targets.map((x) => x.target) },
                            { name: t("Thực hiện", "Actual"), values: p.targets.map((x) => x.actual) },
                            { name: t("Thực hiện kỳ trước", "Actual, previous period"),
                              values: p.targets.map((x) => x.actual_previous) }] });
      specs.push({ id: "partner-targets", title: t("Đạt chỉ tiêu chiết khấu của đối tác (%)",
                                                    "Partner discount target attainment (%)"),
                   format: "percent", categoryHeader: t("Chỉ tiêu", "Target"),
                   categories: p.partner_targets.map((x) => `${x.partner_name} (${x.progress.period_start})`),
                   series: [{ name: t("Đạt (%)", "Attained (%)"),
                              values: p.partner_targets.map((x) => x.progress.attainment_percent) }] });
    }
    if (this.debt) {
      specs.push({ id: "debt", title: t("Công nợ theo tuổi nợ", "Debt by age"), format: "money",
                   currency: this.debt.currency, categoryHeader: t("Tuổi nợ", "Age"),
                   categories: BUCKETS.map(([, vi, en]) => t(vi, en)),
                   series: [{ name: t("Số tiền", "Amount"), values: BUCKETS.map(([key]) => this.debt.totals[key]) }] });
    }
    return specs;
  }

  chart(spec) {
    const element = () => this.renderRoot.querySelector(`svg[data-chart="${spec.id}"]`);
    return html`<section class="chart" aria-labelledby="title-${spec.id}">
      <h2 id="title-${spec.id}">${spec.title}</h2>
      ${barChart(this, spec)}
      <div class="saves">
        <button class="secondary" @click=${() => this.act(() => savePng(element(), `${spec.id}`))}
                aria-label=${this.t(`Lưu PNG: ${spec.title}`, `Save PNG: ${spec.title}`)}>PNG</button>
        <button class="secondary" @click=${() => saveSvg(element(), `${spec.id}`)}
                aria-label=${this.t(`Lưu SVG: ${spec.title}`, `Save SVG: ${spec.title}`)}>SVG</button>
      </div>
      ${chartTable(this, spec)}
    </section>`;
  }

  render() {
    const period = this.customers?.period;
    return html`<h1>${this.t("Thống kê", "Dashboard")}</h1>
      <form @submit=${this.filter} aria-label=${this.t("Kỳ báo cáo", "Reporting period")}>
        <label>${this.t("Từ ngày", "From")} <input type="date" name="date_from" .value=${this.query.date_from ?? ""}></label>
        <label>${this.t("Đến ngày", "To")} <input type="date" name="date_to" .value=${this.query.date_to ?? ""}></label>
        <button type="submit">${this.t("Xem", "Show")}</button>
        <button type="button" class="secondary" @click=${() => this.choose("month")}>${this.t("Tháng này so với tháng trước", "This month vs last")}</button>
        <button type="button" class="secondary" @click=${() => this.choose("year")}>${this.t("Năm nay so với năm trước", "This year vs last")}</button>
      </form>
      ${period ? html`<p class="period muted">${this.t("Kỳ này", "This period")}: ${this.periodName(period)} ·
        ${this.t("so với kỳ trước", "against the previous period")}: ${this.periodName(this.customers.previous_period)}</p>`
               : nothing}
      ${this.renderProblem()}
      ${this.customers || this.pipeline || this.debt ? html`<div class="charts">${this.specs().map((s) => this.chart(s))}</div>`
        : html`<p class="muted" role="status">${this.t("Đang tải…", "Loading…")}</p>`}`;
  }
}

customElements.define("reporting-dashboard", DashboardPage);
