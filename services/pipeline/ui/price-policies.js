// Price policies: discounts and promotions by customer group, product or category and quantity, for a period.
// Quotations apply them; this page adds, lists, edits (name, end date, priority, on/off) and deletes them.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, asNumbers, money, patchIn } from "./shared.js";

const POLICIES = `${API}/price-policies`;
const KINDS = { discount: ["Chiết khấu", "Discount"], promotion: ["Khuyến mãi", "Promotion"] };

class PricePoliciesPage extends CrmPage {
  static properties = { editing: { state: true } };

  policies = new PagedList(this, POLICIES);
  products = new PagedList(this, `${API}/products`, { limit: 200, active: true });

  create(event) {
    event.preventDefault();
    return this.createIn(this.policies, event.target, POLICIES,
                         asNumbers(formValues(event.target), "amount", "priority"),
                         this.t("Đã thêm chính sách giá.", "Price policy added."));
  }

  constructor() {
    super();
    this.editing = null;
  }

  async change(policy, body) {
    if (await patchIn(this, this.policies, `${POLICIES}/${policy.id}`, body,
                      this.t("Đã lưu chính sách giá.", "Price policy saved."))) this.editing = null;
  }

  save(event) {
    event.preventDefault();
    const body = asNumbers(formValues(event.target), "priority");
    body.valid_to ||= null;
    return this.change(this.editing, body);
  }

  renderEditor() {
    const policy = this.editing;
    return html`<form @submit=${this.save} aria-label=${this.t("Sửa chính sách giá", "Edit price policy")}>
      <label>${this.t("Tên", "Name")} <input name="name" .value=${policy.name}></label>
      <label>${this.t("Đến ngày", "To")} <input name="valid_to" type="date" .value=${policy.valid_to ?? ""}></label>
      <label>${this.t("Ưu tiên", "Priority")} <input name="priority" type="number" .value=${String(policy.priority)}></label>
      <button type="submit">${this.t("Lưu", "Save")}</button>
      <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${this.t("Hủy", "Cancel")}</button>
    </form>`;
  }

  deletePolicy(policy) {
    return this.deleteFrom(this.policies, `${POLICIES}/${policy.id}`,
                           [`Xóa chính sách ${policy.name}?`, `Delete the policy ${policy.name}?`],
                           this.t("Đã xóa chính sách giá.", "Price policy deleted."));
  }

  product(productId) {
    return this.products.items.find((p) => p.id === productId)?.name ?? productId;
  }

  render() {
    const write = this.shell.can("products:write");
    return html`<h1>${this.t("Chính sách giá", "Price policies")}</h1>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Thêm chính sách giá", "Add a price policy")}>
        <label>${this.t("Tên", "Name")} <input name="name" autocomplete="off"></label>
        <label>${this.t("Kiểu", "Kind")} <select name="kind">${Object.entries(KINDS).map(([key, [vi, en]]) =>
          html`<option value=${key}>${this.t(vi, en)}</option>`)}</select></label>
        <label>${this.t("Từ ngày", "From")} <input name="valid_from" type="date"></label>
        <label>${this.t("Đến ngày", "To")} <input name="valid_to" type="date"></label>
        <label>${this.t("Sản phẩm", "Product")} <select name="product_id"><option value="">—</option>
          ${this.products.items.map((p) => html`<option value=${p.id}>${p.code} · ${p.name}</option>`)}</select></label>
        <label>${this.t("Nhóm hàng", "Category")} <input name="category"></label>
        <label>${this.t("Từ số lượng", "Minimum quantity")} <input name="min_quantity" inputmode="decimal"></label>
        <label>${this.t("Giảm (%)", "Off (%)")} <input name="percent" inputmode="decimal"></label>
        <label>${this.t("Hoặc giảm mỗi đơn vị", "Or off each unit")} <input name="amount" type="number"></label>
        <label>${this.t("Tiền tệ", "Currency")} <input name="currency" size="4"></label>
        <label>${this.t("Ưu tiên", "Priority")} <input name="priority" type="number"></label>
        <button type="submit">${this.t("Thêm", "Add")}</button>
      </form>` : nothing}
      ${this.renderProblem()}
      ${this.editing && write ? this.renderEditor() : nothing}
      ${this.table(this.policies, [
        [this.t("Tên", "Name"), (p) => p.name],
        [this.t("Kiểu", "Kind"), (p) => (KINDS[p.kind] ? this.t(...KINDS[p.kind]) : p.kind)],
        [this.t("Hiệu lực", "Valid"), (p) => `${p.valid_from} → ${p.valid_to ?? "…"}`],
        [this.t("Áp dụng cho", "Applies to"), (p) => [p.product_id ? this.product(p.product_id) : "", p.category ?? "",
                                                      `≥ ${p.min_quantity}`].filter(Boolean).join(" · ")],
        [this.t("Giảm", "Off"), (p) => (p.percent !== null ? `${p.percent}%` : money(this, p.amount, p.currency))],
        [this.t("Ưu tiên", "Priority"), (p) => p.priority],
        [this.t("Trạng thái", "Status"), (p) => (p.active ? html`<span class="badge">${this.t("đang dùng", "active")}</span>`
                                                          : html`<span class="badge off">${this.t("đã tắt", "off")}</span>`)],
        ...(write ? [["", (p) => html`<button class="secondary" @click=${() => { this.editing = p; }}>${this.t("Sửa", "Edit")}</button>
          <button class="secondary" @click=${() => this.change(p, { active: !p.active })}>
            ${p.active ? this.t("Tắt", "Switch off") : this.t("Bật", "Switch on")}</button>
          <button class="danger" @click=${() => this.deletePolicy(p)}>${this.t("Xóa", "Delete")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("pipeline-price-policies", PricePoliciesPage);
