// Customers: the list with filters and a search that ignores Vietnamese diacritics (the API's `q`), a page at
// a time ("load more"), and the form to create one with the company's custom attributes. Opening a customer
// shows its detail (customer-detail.js) in place of the list.
import { formValues, html, nothing, PagedList } from "crm-ui";
import "./customer-detail.js";
import {
  API, attributeInput, attributeValues, ContactsPage, groupOptions, lifecycleName, lifecycleOptions, selectInput,
  statusName, textInput,
} from "./shared.js";

const CUSTOMERS = `${API}/customers`;
const FILTERS = ["q", "lifecycle_stage", "relationship_status_id", "group_id", "source_id", "owner_id", "tag"];

class CustomersPage extends ContactsPage {
  static properties = { selected: { state: true }, creating: { state: true }, pending: { state: true },
                        filterAttribute: { state: true } };

  customers = new PagedList(this, CUSTOMERS, { limit: 20 });
  definitions = new PagedList(this, `${API}/attributes`);
  statuses = new PagedList(this, `${API}/relationship-statuses`);
  groups = new PagedList(this, `${API}/groups`);
  sources = new PagedList(this, `${API}/sources`);
  tags = new PagedList(this, `${API}/tags`);
  members = { items: [] };

  constructor() {
    super();
    this.selected = null; // the customer whose detail is shown
    this.creating = false;
    this.pending = null; // a create the API refused as a likely duplicate, to send again confirmed
    this.filterAttribute = "";
  }

  connectedCallback() {
    super.connectedCallback();
    if (this.shell.can("org:read")) {
      this.act(async () => {
        this.members = await this.api("/api/identity/v1/members", { query: { limit: 200 } });
        this.requestUpdate();
      });
    }
  }

  memberName(id) {
    const member = this.members.items.find((m) => m.user_id === id);
    return member ? member.full_name || member.email : "";
  }

  filter(event) {
    event.preventDefault();
    const values = formValues(event.target);
    const query = { limit: 20 };
    for (const name of FILTERS) if (values[name]) query[name] = values[name];
    if (values.attribute_key && values.attribute_value) query[`attr.${values.attribute_key}`] = values.attribute_value;
    return this.from("filter").act(() => this.customers.reload(query));
  }

  clearFilters(event) {
    event.target.closest("form").reset();
    this.filterAttribute = "";
    return this.act(() => this.customers.reload({ limit: 20 }));
  }

  async create(event, confirmed = false) {
    event?.preventDefault();
    const form = this.renderRoot.querySelector("form[data-create]");
    const body = Object.fromEntries(Object.entries(formValues(form)).filter(([name]) => !name.startsWith("attributes.")));
    const attributes = attributeValues(form, this.definitions.items);
    if (Object.keys(attributes).length) body.attributes = attributes;
    if (confirmed) body.confirm_duplicate = true; // the user saw the likely duplicates and keeps both
    const created = await this.act(() => this.api(CUSTOMERS, { method: "POST", body }),
                                   this.t(`Đã thêm khách hàng ${body.name}.`, `Customer ${body.name} added.`));
    this.pending = !created && this.problem?.problem?.code === "duplicate" ? true : null;
    if (created) {
      form.reset();
      this.creating = false;
      await this.act(() => this.customers.reload());
    }
  }

  /** The likely duplicates the API's 409 `duplicate` names. */
  renderMatches() {
    const problem = this.problem?.problem;
    if (problem?.code !== "duplicate") return nothing;
    const matches = problem.matches || [];
    return html`${matches.length ? html`<ul aria-label=${this.t("Khách hàng trùng", "Matching customers")}>
        ${matches.map((m) => html`<li>${m.code ? `${m.code} — ` : ""}${m.name ?? m.id}
          ${m.id ? html`<button type="button" class="secondary" @click=${() => { this.selected = m.id; }}>
            ${this.t("Xem", "Open")}</button>` : nothing}</li>`)}</ul>` : nothing}
      ${this.pending ? html`<button type="button" class="danger" @click=${() => this.create(null, true)}>
        ${this.t("Vẫn tạo khách hàng mới", "Create it anyway")}</button>` : nothing}`;
  }

  renderFilters() {
    const t = this.t.bind(this);
    const attribute = this.definitions.items.find((a) => a.key === this.filterAttribute);
    return html`<form role="search" aria-label=${t("Lọc khách hàng", "Filter customers")} @submit=${this.filter}>
      <label>${t("Tìm (tên, mã, điện thoại, email, MST)", "Search (name, code, phone, email, tax code)")}
        <input type="search" name="q" autocomplete="off"></label>
      ${selectInput(this, "filter:lifecycle_stage", t("Giai đoạn vòng đời", "Lifecycle stage"), lifecycleOptions(this),
                    { empty: t("Tất cả", "All") })}
      ${selectInput(this, "filter:relationship_status_id", t("Trạng thái quan hệ", "Relationship status"),
                    this.statuses.items.map((s) => [s.id, statusName(this, s)]), { empty: t("Tất cả", "All") })}
      ${selectInput(this, "filter:group_id", t("Nhóm (gồm nhóm con)", "Group (with subgroups)"), groupOptions(this.groups.items),
                    { empty: t("Tất cả", "All") })}
      ${selectInput(this, "filter:source_id", t("Nguồn", "Source"), this.sources.items.map((s) => [s.id, s.name]),
                    { empty: t("Tất cả", "All") })}
      ${this.members.items.length ? selectInput(this, "filter:owner_id", t("Người phụ trách", "Owner"),
          this.members.items.map((m) => [m.user_id, m.full_name || m.email]), { empty: t("Tất cả", "All") }) : nothing}
      ${selectInput(this, "filter:tag", t("Thẻ", "Tag"), this.tags.items.map((tag) => [tag.name, tag.name]),
                    { empty: t("Tất cả", "All") })}
      ${this.definitions.items.length ? html`<label>${t("Lọc theo thuộc tính", "Filter by attribute")}
          <select name="attribute_key" @change=${(e) => { this.filterAttribute = e.target.value; }}>
            <option value="">${t("(không lọc)", "(none)")}</option>
            ${this.definitions.items.map((a) => html`<option value=${a.key}>${t(a.label_vi, a.label_en)}</option>`)}
          </select></label>
        ${attribute ? html`<label>${t("Giá trị cần lọc", "Value to match")}
          ${["select", "multiselect"].includes(attribute.type)
            ? html`<select name="attribute_value">${attribute.options.map((o) => html`<option value=${o.value}>
                ${t(o.label_vi, o.label_en)}</option>`)}</select>`
            : attribute.type === "boolean"
            ? html`<select name="attribute_value"><option value="true">${t("Có", "Yes")}</option>
                <option value="false">${t("Không", "No")}</option></select>`
            : html`<input name="attribute_value" autocomplete="off">`}</label>` : nothing}` : nothing}
      <button type="submit">${t("Lọc", "Filter")}</button>
      <button type="button" class="secondary" @click=${this.clearFilters}>${t("Bỏ lọc", "Clear")}</button>
    </form>`;
  }

  renderCreate() {
    const t = this.t.bind(this);
    const kinds = [["company", t("Doanh nghiệp", "Company")], ["individual", t("Cá nhân", "Individual")]];
    return html`<h2 id="create-title">${t("Thêm khách hàng", "New customer")}</h2>
      <form data-create @submit=${this.create} aria-labelledby="create-title" novalidate>
        ${textInput(this, "name", t("Tên khách hàng", "Customer name"), { required: true })}
        ${selectInput(this, "kind", t("Loại", "Kind"), kinds)}
        ${textInput(this, "email", "Email", { type: "email" })}
        ${textInput(this, "phone", t("Điện thoại", "Phone"), { type: "tel" })}
        ${textInput(this, "tax_code", t("Mã số thuế", "Tax code"))}
        ${selectInput(this, "lifecycle_stage", t("Giai đoạn vòng đời", "Lifecycle stage"), lifecycleOptions(this))}
        ${selectInput(this, "relationship_status_id", t("Trạng thái quan hệ", "Relationship status"),
                      this.statuses.items.map((s) => [s.id, statusName(this, s)]), { empty: t("(chưa có)", "(none)") })}
        ${selectInput(this, "source_id", t("Nguồn", "Source"), this.sources.items.map((s) => [s.id, s.name]),
                      { empty: t("(chưa có)", "(none)") })}
        ${textInput(this, "website", "Website")}
        ${textInput(this, "industry", t("Ngành nghề", "Industry"))}
        ${textInput(this, "notes", t("Ghi chú", "Notes"))}
        ${this.definitions.items.length ? html`<fieldset>
          <legend>${t("Thuộc tính riêng", "Custom attributes")}</legend>
          ${this.definitions.items.map((a) => attributeInput(this, a))}</fieldset>` : nothing}
        <button type="submit">${t("Thêm", "Add")}</button>
        <button type="button" class="secondary" @click=${() => { this.creating = false; this.problem = null; }}>
          ${t("Hủy", "Cancel")}</button>
      </form>`;
  }

  render() {
    const t = this.t.bind(this);
    if (this.selected) {
      return html`<contacts-customer-detail .shell=${this.shell} .lang=${this.lang} .customerId=${this.selected}
        .definitions=${this.definitions.items} .statuses=${this.statuses.items} .members=${this.members.items}
        @close=${() => { this.selected = null; this.act(() => this.customers.reload()); }}></contacts-customer-detail>`;
    }
    const write = this.shell.can("customers:write");
    const status = (id) => statusName(this, this.statuses.items.find((s) => s.id === id));
    return html`<h1 tabindex="-1">${t("Danh sách khách hàng", "Customer list")}</h1>
      ${this.renderFilters()}
      ${write && !this.creating ? html`<div class="toolbar"><button @click=${() => { this.creating = true; }}>
        ${t("Thêm khách hàng", "New customer")}</button></div>` : nothing}
      ${this.renderProblem()}
      ${this.renderMatches()}
      ${write && this.creating ? this.renderCreate() : nothing}
      ${this.table(this.customers, [
        [t("Mã", "Code"), (c) => c.code],
        [t("Tên", "Name"), (c) => html`<button class="secondary" data-customer=${c.id}
          @click=${() => { this.selected = c.id; }}>${c.name}</button>`],
        [t("Điện thoại", "Phone"), (c) => c.phone ?? ""],
        ["Email", (c) => c.email ?? ""],
        [t("Vòng đời", "Lifecycle"), (c) => lifecycleName(this, c.lifecycle_stage)],
        [t("Trạng thái", "Status"), (c) => status(c.relationship_status_id)],
        [t("Phụ trách", "Owner"), (c) => this.memberName(c.owner_id)],
      ], t("Danh sách khách hàng", "Customer list"))}`;
  }
}

customElements.define("contacts-customers", CustomersPage);
