// Partner policies: versioned, dated terms (commission by product, category or tier; discount by tier; payment
// terms). A new version starts on a later date and ends the one before; earlier versions never change.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API } from "./shared.js";

const POLICIES = `${API}/policies`;

/** The rules typed one per line: "all 3.5", "tier gold 5", "category may-loc 7.25", "product ML-01 10",
 * "discount gold 12". The API checks every value and names the field at fault. */
export function parseRules(text, paymentTerms) {
  const rules = { commissions: [], discounts: [] };
  if (paymentTerms !== undefined && paymentTerms !== "") rules.payment_terms_days = Number(paymentTerms);
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const parts = line.split(/\s+/);
    const rate = Number(parts[parts.length - 1]);
    const key = parts.slice(1, -1).join(" ");
    if (parts[0] === "all") rules.commissions.push({ rate_percent: rate });
    else if (parts[0] === "discount") rules.discounts.push({ tier: key, discount_percent: rate });
    else if (["tier", "category"].includes(parts[0])) rules.commissions.push({ [parts[0]]: key, rate_percent: rate });
    else if (parts[0] === "product") rules.commissions.push({ product_code: key, rate_percent: rate });
    else rules.commissions.push({ rate_percent: line });  // not a rule: the API names the field
  }
  return rules;
}

function describe(page, rules) {
  const rule = (r) => {
    const where = r.product_code ? `${page.t("SP", "product")} ${r.product_code}`
      : r.category ? `${page.t("nhóm", "category")} ${r.category}` : page.t("mọi SP", "all products");
    return `${where}${r.tier ? ` · ${page.t("hạng", "tier")} ${r.tier}` : ""}: ${r.rate_percent}%`;
  };
  return html`<ul>${rules.commissions.map((r) => html`<li>${rule(r)}</li>`)}</ul>`;
}

class PoliciesPage extends CrmPage {
  static properties = { adding: { state: true } };

  policies = new PagedList(this, POLICIES);

  constructor() {
    super();
    this.adding = null;
  }

  rulesFields() {
    return html`<label>${this.t("Điều khoản (mỗi dòng một quy tắc)", "Terms (one rule a line)")}
        <textarea name="rules" rows="4" cols="34" placeholder="all 3.5&#10;tier gold 5&#10;category may-loc 7.25&#10;product ML-01 10&#10;discount gold 12"></textarea></label>
      <label>${this.t("Hạn thanh toán (ngày)", "Payment terms (days)")} <input name="payment_terms_days" type="number" min="0" max="365" value="30"></label>
      <label>${this.t("Hiệu lực từ", "Valid from")} <input name="valid_from" type="date" required></label>`;
  }

  body(form) {
    const values = formValues(form);
    const body = { valid_from: values.valid_from, rules: parseRules(values.rules ?? "", values.payment_terms_days) };
    if (values.name) body.name = values.name;
    if (values.description) body.description = values.description;
    return body;
  }

  create(event) {
    event.preventDefault();
    return this.createIn(this.policies, event.target, POLICIES, this.body(event.target),
                         this.t("Đã tạo chính sách.", "Policy created."));
  }

  async addVersion(event) {
    event.preventDefault();
    const added = await this.createIn(this.policies, event.target, `${POLICIES}/${this.adding.id}/versions`,
                                      this.body(event.target), this.t("Đã thêm phiên bản.", "Version added."));
    if (added) this.adding = null;
  }

  renderPolicy(policy, write) {
    return html`<section aria-label=${policy.name}>
      <h2>${policy.name}</h2>
      ${policy.description ? html`<p class="muted">${policy.description}</p>` : nothing}
      <div class="table-wrap"><table>
        <caption>${this.t("Các phiên bản", "Versions")}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">${this.t("Từ ngày", "From")}</th>
          <th scope="col">${this.t("Đến ngày (không gồm)", "To (exclusive)")}</th><th scope="col">${this.t("Hoa hồng", "Commission")}</th>
          <th scope="col">${this.t("Chiết khấu theo hạng", "Discount by tier")}</th><th scope="col">${this.t("Hạn thanh toán", "Payment terms")}</th></tr></thead>
        <tbody>${policy.versions.map((v) => html`<tr data-version=${v.version}>
          <td>${v.version}</td><td>${v.valid_from}</td><td>${v.valid_to ?? this.t("(đang hiệu lực)", "(in force)")}</td>
          <td>${describe(this, v.rules)}</td>
          <td>${v.rules.discounts.map((d) => `${d.tier}: ${d.discount_percent}%`).join(", ")}</td>
          <td>${v.rules.payment_terms_days} ${this.t("ngày", "days")}</td></tr>`)}</tbody>
      </table></div>
      ${write ? html`<button class="secondary" @click=${() => { this.adding = policy; }}>${this.t("Thêm phiên bản", "Add a version")}</button>` : nothing}
      ${this.adding?.id === policy.id ? html`<form @submit=${this.addVersion} aria-label=${this.t("Phiên bản mới", "New version")}>
        ${this.rulesFields()}
        <button type="submit">${this.t("Thêm", "Add")}</button>
        <button type="button" class="secondary" @click=${() => { this.adding = null; }}>${this.t("Hủy", "Cancel")}</button>
      </form>` : nothing}
    </section>`;
  }

  render() {
    const write = this.shell.can("partners:write");
    return html`<h1>${this.t("Chính sách đối tác", "Partner policies")}</h1>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Thêm chính sách", "Add a policy")}>
        <label>${this.t("Tên", "Name")} <input name="name" required maxlength="200"></label>
        ${this.rulesFields()}
        <button type="submit">${this.t("Thêm chính sách", "Add policy")}</button></form>` : nothing}
      ${this.renderProblem()}
      ${!this.policies.loaded ? html`<p class="muted" role="status">${this.t("Đang tải…", "Loading…")}</p>`
        : !this.policies.items.length ? html`<p class="muted">${this.t("Chưa có chính sách.", "No policies yet.")}</p>`
        : this.policies.items.map((p) => this.renderPolicy(p, write))}`;
  }
}

customElements.define("partners-policies", PoliciesPage);
