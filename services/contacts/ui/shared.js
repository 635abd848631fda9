// What the contacts pages share (not a page itself): the API prefix, styles for a phone's width, errors shown
// beside the field the API named, the inputs of custom attributes by type, and what the OpenAPI document says
// a body accepts (so a field or attribute type the API gains shows up here without a change).
import { CrmPage, css, html, nothing, pageStyles } from "crm-ui";

export const API = "/api/contacts/v1";

export const styles = [pageStyles, css`
  .field-error { color: #b42318; font-size: .85rem; }
  [aria-invalid="true"] { border-color: #b42318; }
  .help { color: #616e7c; font-size: .8rem; }
  .toolbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
  fieldset legend { font-weight: 600; }
  ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.2rem; }
  ul.tree { padding-left: 0; }
  ul.tree li { margin: .25rem 0; }
  .node { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
  ol.timeline { list-style: none; padding: 0; margin: .5rem 0; }
  ol.timeline li { border-left: 3px solid #93c5fd; padding: .3rem .7rem; margin: .4rem 0; }
  textarea { min-width: 16rem; }
  @media (max-width: 640px) {
    form > label, form > fieldset { flex: 1 1 100%; }
    input, select, textarea { width: 100%; box-sizing: border-box; }
    label.inline input { width: auto; }
    dl { grid-template-columns: 1fr; }
    th, td { padding: .35rem .4rem; }
  }
`];

/** The base of the contacts pages. A page with several forms names the one a request comes from with
 * `from(scope)` before it; a refusal's field errors are then shown only beside that form's inputs, whose names
 * carry the scope ("move:parent_id"; unscoped names belong to the page's main form). */
export class ContactsPage extends CrmPage {
  static styles = styles;

  problemScope = null;
  nextScope = null;

  from(scope) {
    this.nextScope = scope;
    return this;
  }

  act(call, done) {
    this.problemScope = this.nextScope; // before the answer, which re-renders the page
    this.nextScope = null;
    return super.act(call, done);
  }
}

function split(name) {
  const colon = name.indexOf(":");
  return colon < 0 ? [null, name] : [name.slice(0, colon), name.slice(colon + 1)];
}

/** The messages of the current problem about `name` (or a part of it, "attributes.size", "phones[0]"). */
export function errorsFor(page, name) {
  const [scope, fieldName] = split(name);
  if (!page.problem || (page.problemScope ?? null) !== scope) return [];
  return page.problem.fields(page.lang)
    .filter((f) => f.field === fieldName || f.field?.startsWith(`${fieldName}.`) || f.field?.startsWith(`${fieldName}[`))
    .map((f) => f.message);
}

/** Whether the current problem names `name`: its input is then marked aria-invalid. */
export function invalid(page, name) {
  return errorsFor(page, name).length > 0;
}

/** The API's complaint about `name`, beside its input (the input names it with aria-describedby). */
export function fieldError(page, name) {
  const messages = errorsFor(page, name);
  return messages.length ? html`<span class="field-error" id=${errorId(name)}>${messages.join("; ")}</span>` : nothing;
}

export function errorId(name) {
  return `error-${name.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
}

/** A labelled input, select or textarea with its error beside it. `control(name, describedBy, bad)` makes it;
 * `name` may carry a scope ("move:parent_id"), the control gets the field's own name. */
export function field(page, name, label, control, help) {
  const bad = invalid(page, name);
  return html`<label>${label}${control(split(name)[1], bad ? errorId(name) : "", bad)}
    ${help ? html`<span class="help">${help}</span>` : nothing}${fieldError(page, name)}</label>`;
}

export function textInput(page, name, label, { type = "text", value = "", required = false, help } = {}) {
  return field(page, name, label, (n, describedBy, bad) => html`<input name=${n} type=${type} .value=${value ?? ""}
    ?required=${required} autocomplete="off" aria-invalid=${bad ? "true" : "false"} aria-describedby=${describedBy}>`,
  help);
}

export function selectInput(page, name, label, options, { value = "", empty } = {}) {
  return field(page, name, label, (n, describedBy, bad) => html`<select name=${n}
      aria-invalid=${bad ? "true" : "false"} aria-describedby=${describedBy}>
    ${empty !== undefined ? html`<option value="">${empty}</option>` : nothing}
    ${options.map(([v, text]) => html`<option value=${v} ?selected=${v === value}>${text}</option>`)}</select>`);
}

export const LIFECYCLE = [["raw", "Thô", "Raw"], ["lead", "Tiềm năng", "Lead"], ["customer", "Khách hàng", "Customer"],
                          ["member", "Thành viên", "Member"], ["loyal", "Trung thành", "Loyal"]];

export function lifecycleOptions(page) {
  return LIFECYCLE.map(([value, vi, en]) => [value, page.t(vi, en)]);
}

export function lifecycleName(page, value) {
  const found = LIFECYCLE.find(([v]) => v === value);
  return found ? page.t(found[1], found[2]) : value;
}

export function statusName(page, status) {
  return status ? page.t(status.name, status.name_en || status.name) : "";
}

/** Groups with their depth, as select options indented by depth (the API lists the tree depth first). */
export function groupOptions(groups) {
  return groups.map((g) => [g.id, `${"— ".repeat(g.depth ?? 0)}${g.name}`]);
}

// -- custom attributes ------------------------------------------------------------------------------------

export const ATTRIBUTE_TYPES = {
  text: ["Văn bản", "Text"], long_text: ["Văn bản dài", "Long text"], number: ["Số", "Number"],
  money: ["Tiền", "Money"], date: ["Ngày", "Date"], boolean: ["Có/không", "Yes/no"],
  select: ["Chọn một", "Single select"], multiselect: ["Chọn nhiều", "Multi select"], user: ["Người dùng", "User"],
  url: ["Địa chỉ web", "URL"], email: ["Email", "Email"], phone: ["Số điện thoại", "Phone"],
};

export function typeName(page, type) {
  const known = ATTRIBUTE_TYPES[type];
  return known ? page.t(...known) : type;
}

function isLongText(type) {
  return ["long_text", "longtext", "textarea", "long"].includes(type);
}

/** The attribute's help text in the page's language (the other language's when it has only that one). */
export function attributeHelp(page, attribute) {
  const { help_vi: vi, help_en: en } = attribute;
  return vi || en ? page.t(vi || en, en || vi) : "";
}

function attributeDefault(attribute) {
  return attribute.default ?? null;
}

/** An input for a custom attribute, by its type; a type this page does not know is a text input. `value` is
 * the customer's current value (or the attribute's default when creating); `scope` the form's ("edit:"). */
export function attributeInput(page, attribute, value = attributeDefault(attribute), scope = "") {
  const name = `${scope}attributes.${attribute.key}`;
  const label = html`${page.t(attribute.label_vi, attribute.label_en)}${attribute.required ? html` <abbr
    title=${page.t("bắt buộc", "required")}>*</abbr>` : nothing}`;
  const help = attributeHelp(page, attribute);
  const options = attribute.options || [];
  switch (attribute.type) {
    case "boolean":
      return html`<label class="inline"><input type="checkbox" name=${split(name)[1]} .checked=${value === true}
        aria-invalid=${invalid(page, name) ? "true" : "false"}
        aria-describedby=${invalid(page, name) ? errorId(name) : ""}>${label}
        ${help ? html`<span class="help">${help}</span>` : nothing}${fieldError(page, name)}</label>`;
    case "select":
      return field(page, name, label, (n, d, bad) => html`<select name=${n} aria-invalid=${bad ? "true" : "false"}
          aria-describedby=${d}><option value="">${page.t("(chưa chọn)", "(none)")}</option>
        ${options.map((o) => html`<option value=${o.value} ?selected=${o.value === value}>
          ${page.t(o.label_vi, o.label_en)}</option>`)}</select>`, help);
    case "multiselect":
      return field(page, name, label, (n, d, bad) => html`<select name=${n} multiple
          aria-invalid=${bad ? "true" : "false"} aria-describedby=${d}>
        ${options.map((o) => html`<option value=${o.value} ?selected=${Array.isArray(value) && value.includes(o.value)}>
          ${page.t(o.label_vi, o.label_en)}</option>`)}</select>`, help);
    default: {
      if (isLongText(attribute.type)) {
        return field(page, name, label, (n, d, bad) => html`<textarea name=${n} rows="3"
          aria-invalid=${bad ? "true" : "false"} aria-describedby=${d} .value=${value ?? ""}></textarea>`, help);
      }
      const type = { number: "number", money: "number", date: "date", url: "url", email: "email", phone: "tel" }[
        attribute.type] || "text";
      const shown = type === "date" && value ? String(value).slice(0, 10) : value;
      return field(page, name, label, (n, d, bad) => html`<input name=${n} type=${type} autocomplete="off"
        step=${type === "number" ? "any" : nothing} .value=${shown ?? ""}
        aria-invalid=${bad ? "true" : "false"} aria-describedby=${d}>`, help);
    }
  }
}

/** The attributes typed into `form`, as the API takes them. Empty ones are left out when creating, and sent
 * as null (removed) when `clearing` (an update). */
export function attributeValues(form, attributes, clearing = false) {
  const values = {};
  for (const attribute of attributes) {
    const element = form.elements[`attributes.${attribute.key}`];
    if (!element) continue;
    let value;
    if (attribute.type === "boolean") value = element.checked;
    else if (attribute.type === "multiselect") {
      value = [...element.selectedOptions].map((o) => o.value);
      if (!value.length) value = null;
    } else if (element.value === "") value = null;
    else if (["number", "money"].includes(attribute.type)) value = Number(element.value);
    else value = element.value;
    if (value !== null || clearing) values[attribute.key] = value;
  }
  return values;
}

/** The attribute's value as text for reading. */
export function attributeText(page, attribute, value) {
  if (value === null || value === undefined) return "";
  const label = (v) => {
    const option = (attribute.options || []).find((o) => o.value === v);
    return option ? page.t(option.label_vi, option.label_en) : v;
  };
  if (attribute.type === "boolean") return value ? page.t("Có", "Yes") : page.t("Không", "No");
  if (Array.isArray(value)) return value.map(label).join(", ");
  return String(label(value));
}

// -- what the API accepts, from its OpenAPI document -------------------------------------------------------

const documents = new Map();

/** The service's OpenAPI document (once per page load); null when it cannot be read. */
export function openapi(service = "contacts") {
  if (!documents.has(service)) {
    documents.set(service, fetch(`/api/${service}/docs/openapi.json`)
      .then((response) => (response.ok ? response.json() : null)).catch(() => null));
  }
  return documents.get(service);
}

function resolve(doc, schema) {
  let current = schema;
  for (let i = 0; current?.$ref && i < 10; i += 1) {
    current = doc.components?.schemas?.[current.$ref.split("/").pop()];
  }
  return current || {};
}

/** The properties of the body schema whose name is `name` (or ends with it): {property: schema}. */
export function bodyProperties(doc, name) {
  const schemas = doc?.components?.schemas || {};
  const key = Object.keys(schemas).find((k) => k === name || k.endsWith(`.${name}`) || k.endsWith(`_${name}`));
  const schema = key ? resolve(doc, schemas[key]) : {};
  return Object.fromEntries(Object.entries(schema.properties || {}).map(([p, s]) => [p, resolve(doc, s)]));
}

/** The allowed values of a property schema (an enum, maybe inside oneOf/anyOf), or []. */
export function enumOf(doc, schema) {
  const found = resolve(doc, schema);
  if (Array.isArray(found.enum)) return found.enum.filter((v) => v !== null);
  if ("const" in found) return [found.const];
  return (found.oneOf || found.anyOf || []).flatMap((s) => enumOf(doc, s));
}

/** The properties of an object-typed property schema (maybe behind a $ref or inside anyOf with null), or null
 * when it is not an object with properties. */
export function objectProperties(doc, schema) {
  const found = resolve(doc, schema);
  if (found.properties) return Object.fromEntries(Object.entries(found.properties).map(([p, s]) => [p, resolve(doc, s)]));
  for (const option of found.oneOf || found.anyOf || []) {
    const inner = objectProperties(doc, option);
    if (inner) return inner;
  }
  return null;
}

/** The JSON types a property schema takes ("string", "integer", "boolean", ...). */
export function typesOf(doc, schema) {
  const found = resolve(doc, schema);
  const own = Array.isArray(found.type) ? found.type : found.type ? [found.type] : [];
  return [...own, ...(found.oneOf || found.anyOf || []).flatMap((s) => typesOf(doc, s))];
}
