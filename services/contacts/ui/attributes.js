// Custom attributes, per entity type (customers here; partners through the partners service, which uses the
// same engine): create, edit, delete. The types and the fields a definition takes are read from the API's
// OpenAPI document, so a type or a field the API gains (help text, default, ...) appears here unchanged; a
// type this page has no name for is shown by its key, and the customer form gives it a text input.
import { html, nothing, PagedList } from "crm-ui";
import {
  API, bodyProperties, ContactsPage, enumOf, field, objectProperties, openapi, selectInput, textInput, typeName,
  typesOf,
} from "./shared.js";

const ENTITIES = [
  { id: "customer", path: `${API}/attributes`, permission: "customers:read", vi: "Khách hàng", en: "Customers",
    affected: ["khách hàng", "customers"] },
  { id: "partner", path: "/api/partners/v1/attributes", permission: "partners:read", vi: "Đối tác", en: "Partners",
    affected: ["đối tác", "partners"] },
];
// Fields of a definition this page lays out itself; any other field of the body schema gets a generic input.
const OWN = new Set(["key", "label_vi", "label_en", "type", "options", "required", "sort_order"]);
const EXTRA_LABELS = {
  help_vi: ["Hướng dẫn (tiếng Việt)", "Help text (Vietnamese)"], help_en: ["Hướng dẫn (tiếng Anh)", "Help text (English)"],
  default: ["Giá trị mặc định", "Default value"],
  validation: ["Giới hạn giá trị", "Value limits"], min: ["Nhỏ nhất", "Minimum"], max: ["Lớn nhất", "Maximum"],
  min_date: ["Từ ngày", "Earliest date"], max_date: ["Đến ngày", "Latest date"],
  max_length: ["Độ dài tối đa", "Maximum length"],
};

/** Whether a property schema is a date (maybe alongside null). */
function isDate(schema) {
  return schema.format === "date" || (schema.anyOf || schema.oneOf || []).some((option) => option.format === "date");
}

/** Whether a property schema takes numbers only (sent as JSON numbers). */
function numeric(doc, schema) {
  const kinds = typesOf(doc, schema);
  return kinds.some((k) => k === "integer" || k === "number") && !kinds.includes("string");
}
const SELECTS = ["select", "multiselect"];

/** Options typed one a line as "value | nhãn | label" (the labels default to the value). */
function parseOptions(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [value, vi, en] = line.split("|").map((part) => part.trim());
    return { value, label_vi: vi || value, label_en: en || vi || value };
  });
}

function optionsText(options) {
  return (options || []).map((o) => `${o.value} | ${o.label_vi} | ${o.label_en}`).join("\n");
}

/** A value typed as text, as the attribute's type takes it. */
function typedValue(text, type) {
  if (["number", "money"].includes(type)) return Number(text);
  if (type === "boolean") return ["true", "1", "có", "yes"].includes(text.toLowerCase());
  if (type === "multiselect") return text.split(",").map((v) => v.trim()).filter(Boolean);
  return text;
}

class AttributesPage extends ContactsPage {
  static properties = { entity: { state: true }, editing: { state: true }, chosenType: { state: true },
                        doc: { state: true } };

  constructor() {
    super();
    this.entity = ENTITIES[0];
    this.editing = null;
    this.chosenType = "text";
    this.doc = null;
    this.definitions = new PagedList(this, this.entity.path);
  }

  connectedCallback() {
    super.connectedCallback();
    openapi().then((doc) => { this.doc = doc; });
  }

  chooseEntity(id) {
    this.entity = ENTITIES.find((e) => e.id === id);
    this.editing = null;
    this.definitions.path = this.entity.path;
    return this.act(() => this.definitions.reload());
  }

  types() {
    const listed = enumOf(this.doc, bodyProperties(this.doc, "AttributeCreate").type || {});
    return listed.length ? listed : ["text", "number", "date", "boolean", "select", "multiselect"];
  }

  /** The body of a definition from `form`: what the user filled in, typed as the API takes it. */
  body(form, type, schema) {
    const body = {};
    for (const [name, property] of Object.entries(schema)) {
      const parts = objectProperties(this.doc, property);
      if (parts) { // an object (the value limits): one input per part, named "validation.min"
        const value = {};
        for (const [part, partSchema] of Object.entries(parts)) {
          const input = form.elements[`${name}.${part}`];
          if (input && input.value !== "") value[part] = numeric(this.doc, partSchema) ? Number(input.value) : input.value;
        }
        if (Object.keys(value).length) body[name] = value;
        continue;
      }
      const element = form.elements[name];
      if (!element) continue;
      const kinds = typesOf(this.doc, property);
      if (name === "options") {
        if (SELECTS.includes(type) || element.value.trim()) body.options = parseOptions(element.value);
      } else if (element.type === "checkbox") body[name] = element.checked;
      else if (element.value === "") continue;
      else if (name === "sort_order" || (kinds.includes("integer") && !kinds.includes("string"))) {
        body[name] = Number(element.value);
      } else if (!OWN.has(name) && !kinds.includes("string") || name === "default") {
        body[name] = typedValue(element.value, type);
      } else body[name] = element.value;
    }
    return body;
  }

  async create(event) {
    event.preventDefault();
    const form = event.target;
    const body = this.body(form, form.elements.type.value, this.schema("AttributeCreate"));
    const created = await this.createIn(this.definitions, form, this.entity.path, body,
                                        this.t(`Đã thêm thuộc tính ${body.label_vi ?? ""}.`,
                                               `Attribute ${body.label_en ?? ""} added.`));
    if (created) this.chosenType = "text";
  }

  async save(event) {
    event.preventDefault();
    const body = this.body(event.target, this.editing.type, this.schema("AttributeUpdate"));
    const saved = await this.from("edit").act(() => this.api(`${this.entity.path}/${this.editing.id}`, { method: "PATCH", body }),
                                 this.t("Đã lưu thuộc tính.", "Attribute saved."));
    if (saved) {
      this.editing = null;
      await this.act(() => this.definitions.reload());
    }
  }

  async deleteAttribute(attribute) {
    // What it affects first, when the API can say (customers' attributes can; a count is then part of the question).
    const impact = await this.api(`${this.entity.path}/${attribute.id}/impact`).catch(() => null);
    const holding = impact ? this.t(` ${impact.records_affected} ${this.entity.affected[0]} đang có giá trị của nó.`,
                                    ` ${impact.records_affected} of the ${this.entity.affected[1]} hold a value.`) : "";
    if (!this.confirm(`Xóa thuộc tính ${attribute.label_vi}? Giá trị của nó ở mọi ${this.entity.affected[0]} sẽ bị xóa.${holding}`,
                      `Delete the attribute ${attribute.label_en}? Its value is removed from every one of the `
                      + `${this.entity.affected[1]}.${holding}`)) return;
    const deleted = await this.act(() => this.api(`${this.entity.path}/${attribute.id}`, {
      method: "DELETE", query: { confirm: true } }));
    if (deleted !== undefined) {
      const count = deleted?.records_affected;
      this.shell.notify(count === undefined ? this.t("Đã xóa thuộc tính.", "Attribute deleted.")
        : this.t(`Đã xóa thuộc tính ${attribute.label_vi}: ${count} ${this.entity.affected[0]} mất giá trị của nó.`,
                 `Attribute ${attribute.label_en} deleted: ${count} ${this.entity.affected[1]} lost their value.`),
                        "success");
    }
    await this.act(() => this.definitions.reload());
  }

  /** The body schema's properties, or this page's own fields when the OpenAPI document cannot be read. */
  schema(name) {
    const properties = bodyProperties(this.doc, name);
    if (Object.keys(properties).length) return properties;
    return Object.fromEntries([...OWN].filter((f) => name === "AttributeCreate" || !["key", "type"].includes(f))
      .map((f) => [f, {}]));
  }

  fields(attribute, schema, scope = "") {
    const t = this.t.bind(this);
    const type = attribute?.type ?? this.chosenType;
    const extras = Object.entries(schema).filter(([name]) => !OWN.has(name));
    return html`
      ${"key" in schema ? textInput(this, `${scope}key`, t("Mã (chữ thường, số, _)", "Key (lowercase, digits, _)"),
                                    { help: t("Không đổi được sau khi tạo", "Cannot change once created") }) : nothing}
      ${textInput(this, `${scope}label_vi`, t("Nhãn tiếng Việt", "Vietnamese label"), { value: attribute?.label_vi })}
      ${textInput(this, `${scope}label_en`, t("Nhãn tiếng Anh", "English label"), { value: attribute?.label_en })}
      ${"type" in schema ? field(this, `${scope}type`, t("Kiểu", "Type"), (n, d, bad) => html`<select name=${n}
          aria-invalid=${bad ? "true" : "false"} aria-describedby=${d}
          @change=${(e) => { this.chosenType = e.target.value; }}>
          ${this.types().map((ty) => html`<option value=${ty} ?selected=${ty === type}>${typeName(this, ty)}</option>`)}
        </select>`) : nothing}
      ${"options" in schema && (SELECTS.includes(type) || attribute?.options?.length)
        ? field(this, `${scope}options`, t("Lựa chọn (mỗi dòng: giá trị | nhãn | label)", "Options (one a line: value | nhãn | label)"),
                (n, d, bad) => html`<textarea name=${n} rows="4" aria-invalid=${bad ? "true" : "false"}
                  aria-describedby=${d} .value=${optionsText(attribute?.options)}></textarea>`) : nothing}
      ${"sort_order" in schema ? textInput(this, `${scope}sort_order`, t("Thứ tự hiển thị", "Display order"),
                                           { type: "number", value: attribute?.sort_order ?? "" }) : nothing}
      ${extras.map(([name, property]) => {
        const label = EXTRA_LABELS[name] ? t(...EXTRA_LABELS[name]) : name;
        const current = attribute?.[name];
        if (typesOf(this.doc, property).every((k) => ["boolean", "null"].includes(k))) {
          return html`<label class="inline"><input type="checkbox" name=${name} .checked=${current === true}>${label}</label>`;
        }
        const parts = objectProperties(this.doc, property);
        if (parts) {
          return html`<fieldset><legend>${label}</legend>${Object.entries(parts).map(([part, partSchema]) =>
            textInput(this, `${scope}${name}.${part}`, EXTRA_LABELS[part] ? t(...EXTRA_LABELS[part]) : part, {
              type: numeric(this.doc, partSchema) ? "number" : isDate(partSchema) ? "date" : "text",
              value: current?.[part] ?? "" }))}</fieldset>`;
        }
        const choices = enumOf(this.doc, property);
        if (choices.length) {
          return selectInput(this, `${scope}${name}`, label, choices.map((c) => [c, c]), { value: current ?? "", empty: "—" });
        }
        return textInput(this, `${scope}${name}`, label, { value: Array.isArray(current) ? current.join(", ") : current ?? "" });
      })}
      ${"required" in schema ? html`<label class="inline"><input type="checkbox" name="required"
        .checked=${attribute?.required ?? false}>${t("Bắt buộc", "Required")}</label>` : nothing}`;
  }

  render() {
    const t = this.t.bind(this);
    const manage = this.shell.can("attributes:manage");
    const entities = ENTITIES.filter((e) => this.shell.can(e.permission));
    return html`<h1 tabindex="-1">${t("Thuộc tính riêng", "Custom attributes")}</h1>
      ${entities.length > 1 ? html`<form @submit=${(e) => e.preventDefault()}><label>${t("Thuộc tính của", "Attributes of")}
        <select @change=${(e) => this.chooseEntity(e.target.value)}>
          ${entities.map((e) => html`<option value=${e.id} ?selected=${e.id === this.entity.id}>${t(e.vi, e.en)}</option>`)}
        </select></label></form>` : nothing}
      ${this.renderProblem()}
      ${this.editing ? html`<h2 id="edit-title">${t("Sửa thuộc tính", "Edit attribute")} ${this.editing.key}</h2>
        <form aria-labelledby="edit-title" @submit=${this.save}>${this.fields(this.editing, this.schema("AttributeUpdate"), "edit:")}
          <button type="submit">${t("Lưu", "Save")}</button>
          <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${t("Hủy", "Cancel")}</button>
        </form>` : nothing}
      ${this.table(this.definitions, [
        [t("Thứ tự", "Order"), (a) => a.sort_order],
        [t("Mã", "Key"), (a) => html`<code>${a.key}</code>`],
        [t("Nhãn", "Label"), (a) => t(a.label_vi, a.label_en)],
        [t("Kiểu", "Type"), (a) => typeName(this, a.type)],
        [t("Bắt buộc", "Required"), (a) => (a.required ? t("Có", "Yes") : "")],
        [t("Lựa chọn", "Options"), (a) => (a.options || []).map((o) => t(o.label_vi, o.label_en)).join(", ")],
        ...(manage ? [["", (a) => html`<button class="secondary" aria-label=${t(`Sửa ${a.label_vi}`, `Edit ${a.label_en}`)}
            @click=${() => { this.editing = a; }}>${t("Sửa", "Edit")}</button>
          <button class="danger" aria-label=${t(`Xóa ${a.label_vi}`, `Delete ${a.label_en}`)}
            @click=${() => this.deleteAttribute(a)}>${t("Xóa", "Delete")}</button>`]] : []),
      ], t("Thuộc tính riêng", "Custom attributes"))}
      ${manage ? html`<h2 id="new-title">${t("Thêm thuộc tính", "New attribute")}</h2>
        <form aria-labelledby="new-title" @submit=${this.create}>${this.fields(null, this.schema("AttributeCreate"))}
          <button type="submit">${t("Thêm", "Add")}</button></form>` : nothing}`;
  }
}

customElements.define("contacts-attributes", AttributesPage);
