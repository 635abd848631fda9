// Branches (chi nhánh): open one, see them, close one that has no salespeople left.
import { CrmPage, formValues, html, PagedList } from "crm-ui";

const API = "/api/identity/v1/branches";

class BranchesPage extends CrmPage {
  branches = new PagedList(this, API);

  create(event) {
    event.preventDefault();
    return this.createIn(this.branches, event.target, API, formValues(event.target),
                         this.t("Đã mở chi nhánh.", "Branch opened."));
  }

  closeBranch(branch) {
    return this.deleteFrom(this.branches, `${API}/${branch.id}`,
                           [`Đóng chi nhánh ${branch.name}?`, `Close the branch ${branch.name}?`],
                           this.t("Đã đóng chi nhánh.", "Branch closed."));
  }

  render() {
    const manage = this.shell.can("org:manage");
    return html`<h1>${this.t("Chi nhánh", "Branches")}</h1>
      ${manage ? html`<form @submit=${this.create} aria-label=${this.t("Mở chi nhánh", "Open a branch")}>
        <label>${this.t("Mã", "Code")} <input name="code" autocomplete="off"></label>
        <label>${this.t("Tên", "Name")} <input name="name" autocomplete="off"></label>
        <label>${this.t("Địa chỉ", "Address")} <input name="address" autocomplete="off"></label>
        <button type="submit">${this.t("Mở chi nhánh", "Open branch")}</button>
      </form>` : ""}
      ${this.renderProblem()}
      ${this.table(this.branches, [
        [this.t("Mã", "Code"), (b) => b.code],
        [this.t("Tên", "Name"), (b) => b.name],
        [this.t("Địa chỉ", "Address"), (b) => b.address],
        ...(manage ? [["", (b) => html`<button class="danger" @click=${() => this.closeBranch(b)}>
          ${this.t("Đóng", "Close")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("identity-branches", BranchesPage);
