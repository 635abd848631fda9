// Products: the catalogue quotations draw on (the ERP may also send it by code). Add a product, edit it, switch
// it off or on, and list a bundle's parts; prices in minor units of their currency (đồng for VND).
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, asNumbers, money, patchIn } from "./shared.js";

const PRODUCTS = `${API}/products`;

class ProductsPage extends CrmPage {
  static properties = { editing: { state: true }, parts: { state: true } };

  products = new PagedList(this, PRODUCTS);

  constructor() {
    super();
    this.editing = null; // the product being edited, read whole (with its parts)
    this.parts = [];     // its parts as edited: [{product_id, quantity}]
  }

  create(event) {
    event.preventDefault();
    return this.createIn(this.products, event.target, PRODUCTS, asNumbers(formValues(event.target), "list_price"),
                         this.t("Đã thêm sản phẩm.", "Product added."));
  }

  toggle(product) {
    return patchIn(this, this.products, `${PRODUCTS}/${product.id}`, { active: !product.active },
                   this.t("Đã lưu sản phẩm.", "Product saved."));
  }

  async edit(product) {
    const whole = await this.act(() => this.shell.api(`${PRODUCTS}/${product.id}`));
    if (!whole) return;
    this.editing = whole;
    this.parts = whole.components.map((c) => ({ product_id: c.product_id, quantity: String(Number(c.quantity)) }));
  }

  async save(event) {
    event.preventDefault();
    const body = asNumbers(formValues(event.target), "list_price");
    body.category ||= null;
    body.description ||= null;
    if (await patchIn(this, this.products, `${PRODUCTS}/${this.editing.id}`, body,
                      this.t("Đã lưu sản phẩm.", "Product saved."))) this.editing = null;
  }

  async saveParts(event) {
    event.preventDefault();
    const saved = await this.act(() => this.shell.api(`${PRODUCTS}/${this.editing.id}/components`, {
      method: "PUT", body: this.parts.filter((p) => p.product_id) }),
                                 this.t("Đã lưu thành phần.", "Parts saved."));
    if (saved) {
      this.editing = saved;
      await this.act(() => this.products.reload());
    }
  }

  setPart(index, field, value) {
    this.parts = this.parts.map((part, n) => (n === index ? { ...part, [field]: value } : part));
  }

  fields(product) {
    return html`<label>${this.t("Tên", "Name")} <input name="name" autocomplete="off" .value=${product?.name ?? ""}></label>
      <label>${this.t("Đơn vị tính", "Unit")} <input name="unit" .value=${product?.unit ?? ""}></label>
      <label>${this.t("Giá niêm yết", "List price")} <input name="list_price" type="number" .value=${String(product?.list_price ?? "")}></label>
      <label>${this.t("Tiền tệ", "Currency")} <input name="currency" size="4" .value=${product?.currency ?? "VND"}></label>
      <label>${this.t("Thuế suất (%)", "Tax rate (%)")} <input name="tax_rate" inputmode="decimal" .value=${product?.tax_rate ?? ""}></label>
      <label>${this.t("Nhóm hàng", "Category")} <input name="category" .value=${product?.category ?? ""}></label>`;
  }

  renderEditor() {
    const product = this.editing;
    const others = this.products.items.filter((p) => p.id !== product.id);
    return html`<form @submit=${this.save} aria-label=${this.t("Sửa sản phẩm", "Edit product")}>
        <h2>${product.code} · ${product.name}</h2>
        ${this.fields(product)}
        <label>${this.t("Mô tả", "Description")} <textarea name="description" .value=${product.description ?? ""}></textarea></label>
        <button type="submit">${this.t("Lưu", "Save")}</button>
        <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${this.t("Đóng", "Close")}</button>
      </form>
      <form @submit=${this.saveParts} aria-label=${this.t("Thành phần của bộ sản phẩm", "Bundle parts")}>
        <h2>${this.t("Thành phần (bộ sản phẩm)", "Parts (bundle)")}</h2>
        ${this.parts.map((part, index) => html`<div class="row">
          <label>${this.t(`Thành phần ${index + 1}`, `Part ${index + 1}`)} <select
            @change=${(e) => this.setPart(index, "product_id", e.target.value)}>
            <option value="">—</option>
            ${others.map((p) => html`<option value=${p.id} ?selected=${p.id === part.product_id}>${p.code} · ${p.name}</option>`)}
          </select></label>
          <label>${this.t("Số lượng", "Quantity")} <input inputmode="decimal" .value=${String(part.quantity)}
            @change=${(e) => this.setPart(index, "quantity", e.target.value)}></label>
          <button type="button" class="secondary" @click=${() => { this.parts = this.parts.filter((_, n) => n !== index); }}>
            ${this.t("Bỏ", "Remove")}</button></div>`)}
        <button type="button" class="secondary" @click=${() => { this.parts = [...this.parts, { product_id: "", quantity: "1" }]; }}>
          ${this.t("Thêm thành phần", "Add a part")}</button>
        <button type="submit">${this.t("Lưu thành phần", "Save parts")}</button>
      </form>`;
  }

  render() {
    const write = this.shell.can("products:write");
    return html`<h1>${this.t("Sản phẩm", "Products")}</h1>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Thêm sản phẩm", "Add a product")}>
        <label>${this.t("Mã", "Code")} <input name="code" autocomplete="off"></label>
        ${this.fields(null)}
        <button type="submit">${this.t("Thêm", "Add")}</button>
      </form>` : nothing}
      ${this.renderProblem()}
      ${this.editing && write ? this.renderEditor() : nothing}
      ${this.table(this.products, [
        [this.t("Mã", "Code"), (p) => p.code],
        [this.t("Tên", "Name"), (p) => p.name],
        [this.t("Đơn vị tính", "Unit"), (p) => p.unit],
        [this.t("Giá niêm yết", "List price"), (p) => money(this, p.list_price, p.currency)],
        [this.t("Thuế suất", "Tax rate"), (p) => `${p.tax_rate}%`],
        [this.t("Nhóm hàng", "Category"), (p) => p.category ?? ""],
        [this.t("Thành phần", "Parts"), (p) => p.components.map((c) => `${Number(c.quantity)} × ${c.code}`).join(", ")],
        [this.t("Trạng thái", "Status"), (p) => (p.active ? html`<span class="badge">${this.t("đang bán", "on sale")}</span>`
                                                          : html`<span class="badge off">${this.t("ngừng bán", "off")}</span>`)],
        ...(write ? [["", (p) => html`<button class="secondary" @click=${() => this.edit(p)}>${this.t("Sửa", "Edit")}</button>
          <button class="secondary" @click=${() => this.toggle(p)}>
          ${p.active ? this.t("Ngừng bán", "Switch off") : this.t("Bán lại", "Switch on")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("pipeline-products", ProductsPage);
