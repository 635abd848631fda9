// Price policies: discounts and promotions by customer group, product or category and quantity, for a period.
// Quotations apply them; this page adds, lists and deletes them.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, asNumbers, money } from "./shared.js";

const POLICIES = `${API}/price-policies`;
const KINDS = { discount: ["Chiết khấu", "Discount"], promotion: ["Khuyến mãi", "Promotion"] };

class PricePoliciesPage extends CrmPage {
  policies = new PagedList(this, POLICIES);
  products = new PagedList(this, `${API}/products`, { limit: 200, active: true });

  create(event) {
    event.preventDefault();
    return this.createIn(this.policies, event.target, POLICIES,
                         asNumbers(formValues(event.target), "amount", "priority"),
                         this.t("Đã thêm chính sách giá.", "Price policy added."));
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
      ${this.table(this.policies, [
        [this.t("Tên", "Name"), (p) => p.name],
        [this.t("Kiểu", "Kind"), (p) => (KINDS[p.kind] ? this.t(...KINDS[p.kind]) : p.kind)],
        [this.t("Hiệu lực", "Valid"), (p) => `${p.valid_from} → ${p.valid_to ?? "…"}`],
        [this.t("Áp dụng cho", "Applies to"), (p) => [p.product_id ? this.product(p.product_id) : "", p.category ?? "",
                                                      `≥ ${p.min_quantity}`].filter(Boolean).join(" · ")],
        [this.t("Giảm", "Off"), (p) => (p.percent !== null ? `${p.percent}%` : money(this, p.amount, p.currency))],
        [this.t("Ưu tiên", "Priority"), (p) => p.priority],
        ...(write ? [["", (p) => html`<button class="danger" @click=${() => this.deletePolicy(p)}>
          ${this.t("Xóa", "Delete")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("pipeline-price-policies", PricePoliciesPage);
