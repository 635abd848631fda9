// Customer sources: the example page to copy (README, "How a service adds a page").
// One ES module per page, served by its own service from ui/, named in ui/manifest.json. It imports only
// "crm-ui" (the shell's page kit, which re-exports lit), talks to its service's JSON API through
// `this.api`, and leaves every rule to that API: it shows the problem the API answers.
import { CrmPage, formValues, html, PagedList } from "crm-ui";

const API = "/api/contacts/v1/sources";

class SourcesPage extends CrmPage {
  // Loaded when the shell shows the page; `this.table()` renders it with a "load more" button when paged.
  sources = new PagedList(this, API);

  // A refusal (problem+json, field errors) is shown by renderProblem(); a success is announced.
  create(event) {
    event.preventDefault();
    return this.createIn(this.sources, event.target, API, formValues(event.target),
                         this.t("Đã thêm nguồn.", "Source added."));
  }

  deleteSource(source) {
    return this.deleteFrom(this.sources, `${API}/${source.id}`,
                           [`Xóa nguồn ${source.name}?`, `Delete the source ${source.name}?`],
                           this.t("Đã xóa nguồn.", "Source deleted."));
  }

  // Every text in both languages with this.t(vi, en); the shell re-renders the page when the user switches.
  render() {
    const write = this.shell.can("customers:write"); // hides what the API would refuse anyway
    return html`<h1>${this.t("Nguồn khách hàng", "Customer sources")}</h1>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Thêm nguồn", "Add a source")}>
        <label>${this.t("Tên nguồn", "Source name")} <input name="name" autocomplete="off"></label>
        <button type="submit">${this.t("Thêm", "Add")}</button>
      </form>` : ""}
      ${this.renderProblem()}
      ${this.table(this.sources, [
        [this.t("Tên", "Name"), (s) => s.name],
        [this.t("Tạo lúc", "Created"), (s) => this.date(s.created_at)],
        ...(write ? [["", (s) => html`<button class="danger" @click=${() => this.deleteSource(s)}>
          ${this.t("Xóa", "Delete")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("contacts-sources", SourcesPage);
