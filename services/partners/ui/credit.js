// Credit: each partner's limit, outstanding balance, overdue amounts aged by days past due (the reporting
// service's debt ageing over the ERP's ledger), holds, the approvals waiting for a manager, and what happens to a
// document over the limit.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { allPartners, API, money } from "./shared.js";

const CREDIT = `${API}/credit`;
const AGEING = "/api/reporting/v1/indicators/debt";
const BUCKETS = [["current", "Chưa đến hạn", "Not yet due"], ["days_0_30", "1–30 ngày", "1–30 days"],
                 ["days_31_60", "31–60 ngày", "31–60 days"], ["days_61_90", "61–90 ngày", "61–90 days"],
                 ["days_over_90", "Trên 90 ngày", "Over 90 days"]];

class CreditPage extends CrmPage {
  static properties = { ageing: { state: true }, account: { state: true }, settings: { state: true } };

  partners = allPartners(this);
  approvals = new PagedList(this, `${CREDIT}/approvals`, { status: "pending" });

  constructor() {
    super();
    this.ageing = null;
    this.account = null;
    this.settings = null;
  }

  async connectedCallback() {
    super.connectedCallback();
    this.settings = await this.act(() => this.api(`${CREDIT}/settings`));
    await this.loadAgeing();
  }

  async loadAgeing() {
    if (this.shell.can("reports:read")) this.ageing = await this.act(() => this.api(AGEING, { query: { currency: "VND" } }));
  }

  async choose(event) {
    const partner = this.partners.items.find((p) => p.id === event.target.value);
    this.account = partner ? { partner, status: await this.act(() => this.api(`${CREDIT}/${partner.customer_id}`)) } : null;
  }

  async put(body, done) {
    const { partner } = this.account;
    const status = await this.act(() => this.api(`${CREDIT}/${partner.customer_id}`, { method: "PUT", body }), done);
    if (status) {
      this.account = { partner, status };
      await this.loadAgeing();
    }
  }

  setLimit(event) {
    event.preventDefault();
    const values = formValues(event.target);
    return this.put({ credit_limit: Number(values.credit_limit), payment_terms_days: Number(values.payment_terms_days),
                      currency: this.account.status.currency },
                    this.t("Đã lưu hạn mức.", "Credit limit saved."));
  }

  hold(onHold) {
    const s = this.account.status;
    return this.put({ credit_limit: s.credit_limit, payment_terms_days: s.payment_terms_days, currency: s.currency,
                      on_hold: onHold },
                    onHold ? this.t("Đã khóa tín dụng.", "Account put on hold.") : this.t("Đã mở khóa.", "Hold released."));
  }

  async decide(approval, approve) {
    await this.act(() => this.api(`${CREDIT}/approvals/${approval.id}/decision`, { method: "POST", body: { approve } }),
                   approve ? this.t("Đã duyệt.", "Approved.") : this.t("Đã từ chối.", "Rejected."));
    await this.act(() => this.approvals.reload());
  }

  async saveSettings(event) {
    const saved = await this.act(() => this.api(`${CREDIT}/settings`, { method: "PUT", body: { over_credit: event.target.value } }),
                                 this.t("Đã lưu thiết lập.", "Setting saved."));
    if (saved) this.settings = saved;
  }

  customerName(customerId) {
    return this.partners.items.find((p) => p.customer_id === customerId)?.customer_name
      ?? this.ageing?.customers.find((c) => c.customer_id === customerId)?.name ?? customerId;
  }

  renderAccount(write) {
    const { partner, status: s } = this.account;
    if (!s) return nothing;
    const vnd = (n) => (n === null ? this.t("không giới hạn", "no limit") : money(this, n, s.currency));
    return html`<section aria-label=${this.t("Tín dụng của đối tác", "Partner's credit")}>
      <h2>${partner.customer_name}</h2>
      <dl>
        <dt>${this.t("Hạn mức", "Limit")}</dt><dd data-limit>${vnd(s.credit_limit)}</dd>
        <dt>${this.t("Dư nợ", "Outstanding")}</dt><dd data-balance>${money(this, s.balance, s.currency)}</dd>
        <dt>${this.t("Quá hạn", "Overdue")}</dt><dd data-overdue>${money(this, s.overdue, s.currency)}</dd>
        <dt>${this.t("Còn được dùng", "Available")}</dt><dd data-available>${vnd(s.available)}</dd>
        <dt>${this.t("Khóa", "Hold")}</dt><dd>${s.on_hold ? html`<span class="badge off">${s.hold_reason === "overdue"
          ? this.t("khóa do quá hạn", "on hold: overdue") : this.t("khóa thủ công", "on hold: manual")}</span>` : this.t("không", "no")}</dd>
      </dl>
      ${write ? html`<form @submit=${this.setLimit} aria-label=${this.t("Đặt hạn mức", "Set the limit")}>
        <label>${this.t("Hạn mức (đồng)", "Limit (VND)")} <input name="credit_limit" type="number" min="0" required .value=${String(s.credit_limit ?? "")}></label>
        <label>${this.t("Hạn thanh toán (ngày)", "Payment terms (days)")} <input name="payment_terms_days" type="number" min="0" max="365" .value=${String(s.payment_terms_days ?? 30)}></label>
        <button type="submit">${this.t("Lưu hạn mức", "Save limit")}</button>
        ${s.has_limit ? html`<button type="button" class=${s.on_hold ? "secondary" : "danger"} @click=${() => this.hold(!s.on_hold)}>
          ${s.on_hold ? this.t("Mở khóa", "Release hold") : this.t("Khóa tín dụng", "Put on hold")}</button>` : nothing}
      </form>` : nothing}
    </section>`;
  }

  renderAgeing() {
    if (!this.ageing) return nothing;
    const a = this.ageing;
    const cur = (n) => money(this, n, a.currency);
    return html`<div class="table-wrap"><table aria-label=${this.t("Tuổi nợ", "Debt ageing")}>
      <caption>${this.t(`Tuổi nợ đến ngày ${a.as_of}`, `Debt ageing on ${a.as_of}`)}</caption>
      <thead><tr><th scope="col">${this.t("Khách hàng / đối tác", "Customer / partner")}</th>
        <th scope="col">${this.t("Dư nợ", "Outstanding")}</th>
        ${BUCKETS.map(([, vi, en]) => html`<th scope="col">${this.t(vi, en)}</th>`)}
        <th scope="col">${this.t("Hạn mức", "Limit")}</th><th scope="col">${this.t("Khóa", "Hold")}</th></tr></thead>
      <tbody>${a.customers.map((c) => html`<tr data-customer=${c.customer_id}>
        <td>${c.name}</td><td>${cur(c.balance)}</td>
        ${BUCKETS.map(([key]) => html`<td data-bucket=${key}>${cur(c.buckets[key])}</td>`)}
        <td>${c.credit_limit === null ? "" : cur(c.credit_limit)}${c.over_limit ? html` <span class="badge off">${this.t("vượt", "over")}</span>` : nothing}</td>
        <td>${c.on_hold ? html`<span class="badge off">${this.t("khóa", "hold")}</span>` : ""}</td></tr>`)}
      </tbody>
      <tfoot><tr><th scope="row">${this.t("Tổng", "Total")}</th><td>${cur(a.balance)}</td>
        ${BUCKETS.map(([key]) => html`<td>${cur(a.totals[key])}</td>`)}<td></td><td></td></tr></tfoot>
    </table></div>`;
  }

  render() {
    const write = this.shell.can("partners:write");
    return html`<h1>${this.t("Tín dụng đối tác", "Partner credit")}</h1>
      ${this.renderProblem()}
      <form aria-label=${this.t("Chọn đối tác", "Choose a partner")} @submit=${(e) => e.preventDefault()}>
        <label>${this.t("Đối tác", "Partner")}
          <select @change=${this.choose}><option value="">${this.t("(chọn)", "(choose)")}</option>
            ${this.partners.items.map((p) => html`<option value=${p.id}>${p.customer_name}</option>`)}</select></label>
        ${this.settings ? html`<label>${this.t("Đơn vượt hạn mức", "Over the limit")}
          <select ?disabled=${!write} @change=${this.saveSettings}>
            <option value="refuse" ?selected=${this.settings.over_credit === "refuse"}>${this.t("bị từ chối", "refused")}</option>
            <option value="approval" ?selected=${this.settings.over_credit === "approval"}>${this.t("chờ quản lý duyệt", "wait for a manager")}</option>
          </select></label>` : nothing}
      </form>
      ${this.account ? this.renderAccount(write) : nothing}
      <h2>${this.t("Tuổi nợ", "Debt ageing")}</h2>
      ${this.shell.can("reports:read") ? this.renderAgeing()
        : html`<p class="muted">${this.t("Cần quyền xem báo cáo.", "Needs the reports permission.")}</p>`}
      <h2>${this.t("Chờ duyệt vượt hạn mức", "Waiting for approval")}</h2>
      ${this.table(this.approvals, [
        [this.t("Khách hàng", "Customer"), (a) => this.customerName(a.customer_id)],
        [this.t("Chứng từ", "Document"), (a) => (a.document_type === "quotation" ? this.t("Báo giá", "Quotation") : this.t("Hợp đồng", "Contract"))],
        [this.t("Số tiền", "Amount"), (a) => money(this, a.amount, "VND")],
        [this.t("Còn được dùng", "Available"), (a) => money(this, a.available, "VND")],
        ...(write ? [["", (a) => html`<button @click=${() => this.decide(a, true)}>${this.t("Duyệt", "Approve")}</button>
          <button class="danger" @click=${() => this.decide(a, false)}>${this.t("Từ chối", "Reject")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("partners-credit", CreditPage);
