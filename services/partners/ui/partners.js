// Partners: dealers and collaborators, each a profile on an existing customer. Filter by kind and status, make a
// customer a partner, move its status (applied → active ↔ suspended → ended), change its tier and owner; keep its
// agreement documents (with the dates they were signed and are valid) and download them.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, KINDS, label, patchIn, STATUSES, TRANSITIONS } from "./shared.js";

const PARTNERS = `${API}/partners`;
const CUSTOMERS = "/api/contacts/v1/customers";

class PartnersPage extends CrmPage {
  static properties = { editing: { state: true }, customers: { state: true }, agreementsOf: { state: true } };

  partners = new PagedList(this, PARTNERS, { limit: 50 });
  policies = new PagedList(this, `${API}/policies`);
  dealers = new PagedList(this, PARTNERS, { limit: 200, kind: "dealer" });

  constructor() {
    super();
    this.editing = null;
    this.agreementsOf = null;
    this.agreements = null;
    this.customers = [];
    this.members = [];
  }

  async connectedCallback() {
    super.connectedCallback();
    if (this.shell.can("org:read")) {
      const page = await this.act(() => this.api("/api/identity/v1/members", { query: { limit: 200 } }));
      this.members = page?.items ?? [];
      this.requestUpdate();
    }
  }

  memberName(id) {
    return this.members.find((m) => m.user_id === id)?.full_name ?? (id ? id.slice(0, 8) : "");
  }

  filter(event) {
    const query = { limit: 50, ...formValues(event.target.form) };
    return this.act(() => this.partners.reload(query));
  }

  async searchCustomers(event) {
    const q = event.target.value.trim();
    if (q.length < 2) return;
    const found = await this.act(() => this.api(CUSTOMERS, { query: { q, limit: 20 } }));
    if (found) this.customers = found.items;
  }

  create(event) {
    event.preventDefault();
    const body = formValues(event.target);
    delete body.search;
    return this.createIn(this.partners, event.target, PARTNERS, body, this.t("Đã tạo đối tác.", "Partner created."));
  }

  async change(partner, body) {
    if (await patchIn(this, this.partners, `${PARTNERS}/${partner.id}`, body, this.t("Đã lưu đối tác.", "Partner saved."))) {
      this.editing = null;
    }
  }

  save(event) {
    event.preventDefault();
    const body = formValues(event.target);
    for (const name of ["owner_id", "policy_id", "parent_id"]) if (!(name in body)) body[name] = null;
    if (!this.members.length) delete body.owner_id;
    return this.change(this.editing, body);
  }

  showAgreements(partner) {
    if (this.agreements) this.removeController(this.agreements);
    this.agreements = new PagedList(this, `${PARTNERS}/${partner.id}/agreements`);
    this.agreementsOf = partner;
  }

  async uploadAgreement(event) {
    event.preventDefault();
    const form = event.target;
    const body = new FormData(form);
    for (const [key, value] of [...body]) if (value === "") body.delete(key);
    const created = await this.act(() => this.api(`${PARTNERS}/${this.agreementsOf.id}/agreements`, { method: "POST", body }),
                                   this.t("Đã tải thỏa thuận lên.", "Agreement uploaded."));
    if (created) {
      form.reset();
      await this.act(() => this.agreements.reload());
    }
  }

  async download(agreement) {
    const link = await this.act(() => this.api(`${API}/agreements/${agreement.id}/download`));
    if (link) window.location.assign(link.url);  // an attachment: the browser saves it, the page stays
  }

  renderAgreements(write) {
    const p = this.agreementsOf;
    const list = this.agreements;
    return html`<section aria-label=${this.t(`Thỏa thuận của ${p.customer_name}`, `Agreements of ${p.customer_name}`)}>
      <h2>${this.t("Thỏa thuận", "Agreements")}: ${p.customer_name}</h2>
      ${write ? html`<form @submit=${this.uploadAgreement} aria-label=${this.t("Tải thỏa thuận lên", "Upload an agreement")}>
        <label>${this.t("Tệp", "File")} <input name="file" type="file" required></label>
        <label>${this.t("Tên (cùng tên: phiên bản mới)", "Name (same name: a new version)")} <input name="name" maxlength="255"></label>
        <label>${this.t("Ngày ký", "Signed on")} <input name="signed_on" type="date"></label>
        <label>${this.t("Hiệu lực từ", "Valid from")} <input name="valid_from" type="date"></label>
        <label>${this.t("Hiệu lực đến", "Valid to")} <input name="valid_to" type="date"></label>
        <button type="submit">${this.t("Tải lên", "Upload")}</button>
        <button type="button" class="secondary" @click=${() => { this.agreementsOf = null; }}>${this.t("Đóng", "Close")}</button>
      </form>` : nothing}
      ${this.table(list, [
        [this.t("Tài liệu", "Document"), (a) => a.name],
        [this.t("Phiên bản", "Version"), (a) => a.version],
        [this.t("Ngày ký", "Signed on"), (a) => a.signed_on ?? ""],
        [this.t("Hiệu lực", "Valid"), (a) => html`${a.valid_from ?? "…"} → ${a.valid_to ?? "…"}
          ${a.in_force ? html`<span class="badge">${this.t("đang hiệu lực", "in force")}</span>`
                       : html`<span class="badge off">${this.t("hết hiệu lực", "not in force")}</span>`}`],
        ["", (a) => html`<button class="secondary" @click=${() => this.download(a)}>${this.t("Tải về", "Download")}</button>
          ${write ? html`<button class="danger" @click=${() => this.deleteFrom(list, `${API}/agreements/${a.id}`,
              [`Xóa phiên bản ${a.version} của ${a.name}?`, `Delete version ${a.version} of ${a.name}?`],
              this.t("Đã xóa.", "Deleted."))}>${this.t("Xóa", "Delete")}</button>` : nothing}`],
      ], this.t("Phiên bản mới nhất của mỗi thỏa thuận", "The latest version of each agreement"))}
    </section>`;
  }

  // `blank`: what no choice means; on create the API gives the partner to its creator.
  ownerSelect(selected, blank = this.t("(chưa có)", "(none)")) {
    return html`<label>${this.t("Người phụ trách", "Owner")}
      <select name="owner_id">
        <option value="">${blank}</option>
        ${this.members.filter((m) => m.is_active).map((m) => html`<option value=${m.user_id} ?selected=${m.user_id === selected}>${m.full_name || m.email}</option>`)}
      </select></label>`;
  }

  options(labels, selected) {
    return Object.keys(labels).map((key) => html`<option value=${key} ?selected=${key === selected}>${label(this, labels, key)}</option>`);
  }

  renderCreate() {
    return html`<form @submit=${this.create} aria-label=${this.t("Thêm đối tác", "Add a partner")}>
      <label>${this.t("Tìm khách hàng", "Find a customer")}
        <input name="search" type="search" autocomplete="off" @input=${this.searchCustomers}></label>
      <label>${this.t("Khách hàng", "Customer")}
        <select name="customer_id" required>
          ${this.customers.map((c) => html`<option value=${c.id}>${c.name}${c.code ? ` (${c.code})` : ""}</option>`)}
        </select></label>
      <label>${this.t("Loại", "Kind")} <select name="kind">${this.options(KINDS, "dealer")}</select></label>
      <label>${this.t("Hạng", "Tier")} <input name="tier" placeholder="standard" maxlength="32"></label>
      ${this.members.length ? this.ownerSelect(null, this.t("(tôi)", "(me)")) : nothing}
      <button type="submit">${this.t("Thêm đối tác", "Add partner")}</button>
    </form>`;
  }

  renderEdit() {
    const p = this.editing;
    return html`<form @submit=${this.save} aria-label=${this.t("Sửa đối tác", "Edit partner")}>
      <strong>${p.customer_name}</strong>
      <label>${this.t("Hạng", "Tier")} <input name="tier" .value=${p.tier} maxlength="32" required></label>
      ${this.members.length ? this.ownerSelect(p.owner_id) : nothing}
      <label>${this.t("Chính sách", "Policy")} <select name="policy_id"><option value="">${this.t("(chưa có)", "(none)")}</option>
        ${this.policies.items.map((policy) => html`<option value=${policy.id} ?selected=${policy.id === p.policy_id}>${policy.name}</option>`)}</select></label>
      <label>${this.t("Thuộc đại lý", "Under the dealer")} <select name="parent_id"><option value="">${this.t("(không)", "(none)")}</option>
        ${this.dealers.items.filter((d) => d.id !== p.id).map((d) => html`<option value=${d.id} ?selected=${d.id === p.parent_id}>${d.customer_name}</option>`)}</select></label>
      <button type="submit">${this.t("Lưu", "Save")}</button>
      <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${this.t("Hủy", "Cancel")}</button>
    </form>`;
  }

  actions(p, write) {
    const agreements = html`<button class="secondary" @click=${() => this.showAgreements(p)}
        aria-label=${this.t(`Thỏa thuận của ${p.customer_name}`, `Agreements of ${p.customer_name}`)}>${this.t("Thỏa thuận", "Agreements")}</button>`;
    if (!write) return agreements;
    return html`${TRANSITIONS[p.status].map((to) => html`<button class=${to === "ended" ? "danger" : "secondary"}
        @click=${() => this.change(p, { status: to })}>${label(this, STATUSES, to)}</button> `)}
      ${agreements}
      <button class="secondary" @click=${() => { this.editing = p; }}
              aria-label=${this.t(`Sửa ${p.customer_name}`, `Edit ${p.customer_name}`)}>${this.t("Sửa", "Edit")}</button>`;
  }

  render() {
    const write = this.shell.can("partners:write");
    return html`<h1>${this.t("Đối tác", "Partners")}</h1>
      <form aria-label=${this.t("Lọc đối tác", "Filter partners")} @change=${this.filter} @submit=${(e) => e.preventDefault()}>
        <label>${this.t("Loại", "Kind")} <select name="kind"><option value="">${this.t("(tất cả)", "(all)")}</option>${this.options(KINDS)}</select></label>
        <label>${this.t("Trạng thái", "Status")} <select name="status"><option value="">${this.t("(tất cả)", "(all)")}</option>${this.options(STATUSES)}</select></label>
      </form>
      ${write ? this.renderCreate() : nothing}
      ${this.renderProblem()}
      ${this.editing ? this.renderEdit() : nothing}
      ${this.table(this.partners, [
        [this.t("Đối tác", "Partner"), (p) => p.customer_name],
        [this.t("Loại", "Kind"), (p) => label(this, KINDS, p.kind)],
        [this.t("Hạng", "Tier"), (p) => p.tier],
        [this.t("Trạng thái", "Status"), (p) => html`<span class="badge ${p.status === "active" ? "" : "off"}" data-status=${p.status}>${label(this, STATUSES, p.status)}</span>`],
        [this.t("Người phụ trách", "Owner"), (p) => this.memberName(p.owner_id)],
        [this.t("Chính sách", "Policy"), (p) => this.policies.items.find((policy) => policy.id === p.policy_id)?.name ?? ""],
        [this.t("Số thỏa thuận", "Agreement no."), (p) => [p.agreement_number, p.agreement_start, p.agreement_end].filter(Boolean).join(" · ")],
        ["", (p) => this.actions(p, write)],
      ], this.t("Danh sách đối tác", "Partners"))}
      ${this.agreementsOf ? this.renderAgreements(write) : nothing}`;
  }
}

customElements.define("partners-partners", PartnersPage);
