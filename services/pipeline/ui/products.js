// Products: the catalogue quotations draw on (the ERP may also send it by code). Add a product, switch one
// off or on; prices in minor units of their currency (đồng for VND).
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, asNumbers, money, patchIn } from "./shared.js";

const PRODUCTS = `${API}/products`;

class ProductsPage extends CrmPage {
  products = new PagedList(this, PRODUCTS);

  create(event) {
    event.preventDefault();
    return this.createIn(this.products, event.target, PRODUCTS, asNumbers(formValues(event.target), "list_price"),
                         this.t("Đã thêm sản phẩm.", "Product added."));
  }

  toggle(product) {
    return patchIn(this, this.products, `${PRODUCTS}/${product.id}`, { active: !product.active },
                   this.t("Đã lưu sản phẩm.", "Product saved."));
  }

  render() {
    const write = this.shell.can("products:write");
    return html`<h1>${this.t("Sản phẩm", "Products")}</h1>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Thêm sản phẩm", "Add a product")}>
        <label>${this.t("Mã", "Code")} <input name="code" autocomplete="off"></label>
        <label>${this.t("Tên", "Name")} <input name="name" autocomplete="off"></label>
        <label>${this.t("Đơn vị tính", "Unit")} <input name="unit"></label>
        <label>${this.t("Giá niêm yết", "List price")} <input name="list_price" type="number"></label>
        <label>${this.t("Tiền tệ", "Currency")} <input name="currency" value="VND" size="4"></label>
        <label>${this.t("Thuế suất (%)", "Tax rate (%)")} <input name="tax_rate" inputmode="decimal"></label>
        <label>${this.t("Nhóm hàng", "Category")} <input name="category"></label>
        <button type="submit">${this.t("Thêm", "Add")}</button>
      </form>` : nothing}
      ${this.renderProblem()}
      ${this.table(this.products, [
        [this.t("Mã", "Code"), (p) => p.code],
        [this.t("Tên", "Name"), (p) => p.name],
        [this.t("Đơn vị tính", "Unit"), (p) => p.unit],
        [this.t("Giá niêm yết", "List price"), (p) => money(this, p.list_price, p.currency)],
        [this.t("Thuế suất", "Tax rate"), (p) => `${p.tax_rate}%`],
        [this.t("Nhóm hàng", "Category"), (p) => p.category ?? ""],
        [this.t("Trạng thái", "Status"), (p) => (p.active ? html`<span class="badge">${this.t("đang bán", "on sale")}</span>`
                                                          : html`<span class="badge off">${this.t("ngừng bán", "off")}</span>`)],
        ...(write ? [["", (p) => html`<button class="secondary" @click=${() => this.toggle(p)}>
          ${p.active ? this.t("Ngừng bán", "Switch off") : this.t("Bán lại", "Switch on")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("pipeline-products", ProductsPage);
