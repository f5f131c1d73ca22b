/* The policy-rule builder (policies/_rule_builder.html).
 *
 * City staff build a policy's eligibility rule with a form: conditions (a field named in Chinese, a comparison,
 * a value picker fitted to the field) nested in 全部满足 / 任一满足 / 不满足 groups. The rule as text (the
 * "高级" box) is what the page posts; the form and the text are kept in step both ways. After each change the
 * rule is sent to the server, which reads it back in Chinese and counts the enterprises it would find
 * 符合 / 不符合 / 待核实 on today's data (or says what is wrong with it). */
(function () {
  "use strict";

  const host = document.querySelector("[data-rule-builder]");
  if (!host) return;
  const spec = JSON.parse(document.getElementById(host.dataset.spec).textContent);
  const fields = new Map(spec.fields.map((f) => [f.name, f]));
  const text = document.getElementById(host.dataset.json);
  const checkForm = document.getElementById(host.dataset.check);
  const result = document.getElementById(host.dataset.result);
  const unfit = document.querySelector("[data-rule-unfit]");

  const PENDING = "placeholder"; // the field choice of a condition the policy text leaves to be worded
  const GROUPS = [["all", "全部满足"], ["any", "任一满足"], ["not", "不满足"]];
  const LISTED = new Set(["in", "not_in", "contains_any"]); // operations that take a list of values
  const SECTIONS = { enterprise: "企业", evaluation: "亩均评价", project: "项目", score: "评价得分" };
  const SPLIT = /[、,，;；\n]+/;

  class Unfit extends Error {} // a rule the form cannot show as it is

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(key, value === true ? "" : value);
      }
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function button(label, style, action, name) {
    return el("button", {
      type: "button", class: `btn ${style}`, "data-action": action, "aria-label": name || null, text: label,
    });
  }

  function options(box, pairs, value) {
    for (const [v, label] of pairs) box.append(el("option", { value: v, text: label }));
    if (value !== undefined && value !== null && !pairs.some(([v]) => v === String(value))) {
      box.append(el("option", { value: String(value), text: String(value) })); // shown, for the server to judge
    }
    if (value !== undefined && value !== null) box.value = String(value);
    return box;
  }

  // Building the form from a rule ------------------------------------------------------------------------

  function group(kind, items, isRoot) {
    const box = el("fieldset", { class: "kc-rb-group", "data-node": "group" });
    const kindBox = options(
      el("select", { class: "form-select kc-rb-kind", "aria-label": isRoot ? "申报条件的满足方式" : "条件组的满足方式" }),
      GROUPS, kind,
    );
    const head = el("div", { class: "kc-rb-head" }, [
      kindBox,
      el("span", { class: "text-secondary", text: "下列条件" }),
    ]);
    if (!isRoot) head.append(button("删除本组", "btn-outline-danger ms-auto", "remove", "删除此条件组"));
    const list = el("div", { class: "kc-rb-items" }, items);
    const tools = el("div", { class: "kc-rb-tools" }, [
      button("＋ 添加条件", "btn-outline-primary", "add-condition", "添加条件"),
      button("＋ 添加条件组", "btn-outline-secondary", "add-group", "添加条件组"),
    ]);
    box.append(el("legend", { class: "visually-hidden", text: isRoot ? "申报条件" : "条件组" }), head, list, tools);
    return box;
  }

  function fieldBox(name) {
    const box = el("select", { class: "form-select kc-rb-field", "aria-label": "条件字段" });
    const sections = new Map();
    for (const f of spec.fields) {
      const section = SECTIONS[f.name.split(".")[0]] || "其他";
      if (!sections.has(section)) sections.set(section, el("optgroup", { label: section }));
      sections.get(section).append(el("option", { value: f.name, text: f.label }));
    }
    sections.forEach((part) => box.append(part));
    box.append(el("optgroup", { label: "其他" }, [el("option", { value: PENDING, text: "待明确的条件（文字说明）" })]));
    box.value = name;
    return box;
  }

  function condition(data) {
    const name = typeof data.placeholder === "string" ? PENDING : data.field || spec.fields[0].name;
    const row = el("div", { class: "kc-rb-cond", "data-node": "condition" }, [
      fieldBox(name),
      el("span", { class: "kc-rb-op" }),
      el("span", { class: "kc-rb-value" }),
      button("删除", "btn-outline-danger", "remove", "删除此条件"),
    ]);
    fillOp(row, data.op);
    fillValue(row, name === PENDING ? data.placeholder : data.value);
    return row;
  }

  function fieldOf(row) {
    return fields.get(row.querySelector(".kc-rb-field").value); // undefined: a placeholder
  }

  function opOf(row) {
    const box = row.querySelector(".kc-rb-op select");
    return box ? box.value : "";
  }

  function fillOp(row, op) {
    const cell = row.querySelector(".kc-rb-op");
    const field = fieldOf(row);
    cell.replaceChildren();
    cell.hidden = !field;
    if (field) {
      const known = field.ops.some(([o]) => o === op);
      cell.append(options(el("select", { class: "form-select", "aria-label": "比较方式" }), field.ops, known ? op : field.ops[0][0]));
    }
  }

  function fillValue(row, value) {
    const cell = row.querySelector(".kc-rb-value");
    const field = fieldOf(row);
    cell.replaceChildren();
    if (value === undefined) delete cell.dataset.chosen; // a value the user chose is carried to a new comparison
    else cell.dataset.chosen = "yes";
    if (!field) {
      cell.dataset.picker = "text";
      cell.append(el("input", {
        class: "form-control", type: "text", "aria-label": "待明确条件的内容", placeholder: "照录政策原文",
        value: value === undefined ? "" : String(value),
      }));
      return;
    }
    const listed = LISTED.has(opOf(row));
    const label = `${field.label}的取值`;
    if (field.kind === "bool") {
      cell.dataset.picker = "bool";
      cell.append(options(el("select", { class: "form-select", "aria-label": label }), [["true", "是"], ["false", "否"]], value === false ? "false" : "true"));
    } else if (field.kind === "number" || field.kind === "date") {
      cell.dataset.picker = field.kind;
      const number = field.kind === "number";
      cell.append(el("input", {
        class: "form-control", type: number ? "text" : "date", inputmode: number ? "decimal" : null,
        "aria-label": field.unit ? `${label}（${field.unit}）` : label,
        value: value === undefined || value === null ? "" : String(value),
      }));
      if (field.unit) cell.append(el("span", { class: "kc-rb-unit", "aria-hidden": "true", text: field.unit }));
    } else if (field.choices.length && listed) {
      cell.dataset.picker = "checks";
      const given = Array.isArray(value) ? value : [value];
      const chosen = new Set(given.filter((v) => v !== undefined && v !== "").map(String));
      const others = [...chosen].filter((v) => !field.choices.some(([c]) => c === v)); // for the server to judge
      const pairs = field.choices.concat(others.map((v) => [v, v]));
      const box = el("fieldset", { class: "kc-rb-checks" }, [el("legend", { class: "visually-hidden", text: label })]);
      for (const [v, name] of pairs) {
        box.append(el("label", { class: "form-check" }, [
          el("input", { class: "form-check-input", type: "checkbox", value: v, checked: chosen.has(v) }),
          el("span", { class: "form-check-label", text: name }),
        ]));
      }
      cell.append(box);
    } else if (field.choices.length) {
      cell.dataset.picker = "select";
      const first = Array.isArray(value) ? value[0] : value;
      cell.append(options(el("select", { class: "form-select", "aria-label": label }), field.choices, first === undefined ? field.choices[0][0] : first));
    } else {
      cell.dataset.picker = listed ? "list" : "text";
      const shown = Array.isArray(value) ? value.join("、") : value === undefined ? "" : String(value);
      cell.append(el("input", {
        class: "form-control", type: "text", "aria-label": listed ? `${label}（多个以“、”分隔）` : label,
        placeholder: listed ? "多个以“、”分隔" : null, value: shown,
      }));
    }
  }

  function build(data, isRoot) {
    if (!data || typeof data !== "object" || Array.isArray(data)) throw new Unfit();
    for (const kind of ["all", "any"]) {
      if (kind in data) {
        if (!Array.isArray(data[kind])) throw new Unfit();
        return group(kind, data[kind].map((item) => build(item, false)), isRoot);
      }
    }
    if ("not" in data) {
      const inner = data.not;
      const items = inner && Array.isArray(inner.all) ? inner.all : [inner];
      return group("not", items.map((item) => build(item, false)), isRoot);
    }
    if ("placeholder" in data) {
      if (typeof data.placeholder !== "string") throw new Unfit();
      return isRoot ? group("all", [condition(data)], true) : condition(data);
    }
    const field = fields.get(data.field);
    const scalar = (v) => ["string", "number", "boolean"].includes(typeof v);
    const fits = field && field.ops.some(([op]) => op === data.op) && "value" in data &&
      (LISTED.has(data.op) ? Array.isArray(data.value) && data.value.every(scalar) : scalar(data.value)) &&
      (field.kind !== "bool" || typeof data.value === "boolean");
    if (!fits) throw new Unfit();
    return isRoot ? group("all", [condition(data)], true) : condition(data);
  }

  // Reading the rule from the form ------------------------------------------------------------------------

  function valueOf(row) {
    const cell = row.querySelector(".kc-rb-value");
    const input = cell.querySelector("input, select");
    switch (cell.dataset.picker) {
      case "bool":
        return input.value === "true";
      case "number": {
        const typed = input.value.trim();
        const number = Number(typed);
        return /^-?\d+(\.\d+)?$/.test(typed) && String(number) === typed ? number : typed;
      }
      case "checks":
        return [...cell.querySelectorAll("input:checked")].map((box) => box.value);
      case "list":
        return input.value.split(SPLIT).map((v) => v.trim()).filter(Boolean);
      default:
        return input.value.trim();
    }
  }

  function read(node) {
    if (node.dataset.node === "group") {
      const kind = node.querySelector(":scope > .kc-rb-head > .kc-rb-kind").value;
      const items = [...node.querySelector(":scope > .kc-rb-items").children].map(read);
      if (kind === "not") return { not: items.length === 1 ? items[0] : { all: items } };
      return { [kind]: items };
    }
    const field = fieldOf(node);
    if (!field) return { placeholder: valueOf(node) };
    return { field: field.name, op: opOf(node), value: valueOf(node) };
  }

  // Keeping the form, the text and the reading in step ------------------------------------------------------

  let root = null;
  let timer = 0;
  let asked = 0;

  function show(fitting) {
    host.hidden = !fitting;
    unfit.hidden = fitting;
  }

  function fromText() {
    try {
      root = build(JSON.parse(text.value), true);
    } catch (problem) {
      if (!(problem instanceof Unfit || problem instanceof SyntaxError)) throw problem;
      show(false);
      return;
    }
    host.replaceChildren(root);
    show(true);
  }

  function toText() {
    text.value = JSON.stringify(read(root), null, 2);
    check();
  }

  function check() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      asked += 1;
      const ticket = asked;
      checkForm.elements.rule.value = text.value;
      for (const copy of checkForm.querySelectorAll("[data-copy]")) {
        copy.value = document.getElementById(copy.dataset.copy).value; // what the count depends on (whom, where)
      }
      result.setAttribute("aria-busy", "true");
      let html = null;
      try {
        const response = await fetch(checkForm.action, { method: "POST", body: new FormData(checkForm), credentials: "same-origin" });
        if (response.ok) html = await response.text();
      } catch (problem) {
        html = null;
      }
      if (ticket !== asked) return; // a later change has asked again
      result.removeAttribute("aria-busy");
      if (html === null) {
        result.replaceChildren(el("div", { class: "alert alert-danger mb-0", text: "暂时无法试算，请稍后再试。" }));
      } else {
        result.innerHTML = html; // the server's own page fragment, escaped there
      }
    }, 250);
  }

  host.addEventListener("change", (event) => {
    const row = event.target.closest(".kc-rb-cond");
    const cell = event.target.closest(".kc-rb-value");
    if (cell) cell.dataset.chosen = "yes";
    if (event.target.classList.contains("kc-rb-field")) {
      fillOp(row);
      fillValue(row);
    } else if (row && event.target.closest(".kc-rb-op")) {
      const values = row.querySelector(".kc-rb-value");
      const before = values.dataset.chosen ? valueOf(row) : undefined; // not the picker's own first choice
      const listed = LISTED.has(opOf(row));
      fillValue(row, Array.isArray(before) && !listed ? before[0] : before);
    }
    toText();
  });

  host.addEventListener("input", (event) => {
    if (!event.target.matches("input[type=text]")) return;
    event.target.closest(".kc-rb-value").dataset.chosen = "yes";
    toText();
  });

  host.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    if (!action) return;
    const owner = action.closest("[data-node=group]");
    const list = owner.querySelector(":scope > .kc-rb-items");
    let focus = null;
    if (action.dataset.action === "add-condition") {
      list.append(condition({}));
      focus = list.lastElementChild.querySelector(".kc-rb-field");
    } else if (action.dataset.action === "add-group") {
      list.append(group("all", [condition({})], false));
      focus = list.lastElementChild.querySelector(".kc-rb-kind");
    } else if (action.dataset.action === "remove") {
      const gone = action.closest("[data-node]");
      focus = gone.closest(".kc-rb-items").closest("[data-node=group]").querySelector(".kc-rb-kind");
      gone.remove();
    }
    if (focus) focus.focus();
    toText();
  });

  text.addEventListener("input", () => {
    fromText();
    check();
  });

  document.querySelector("[data-rule-reset]").addEventListener("click", () => {
    root = group("all", [condition({})], true);
    host.replaceChildren(root);
    show(true);
    toText();
  });

  for (const copy of checkForm.querySelectorAll("[data-copy]")) {
    document.getElementById(copy.dataset.copy).addEventListener("change", check);
  }

  fromText();
  check();
})();
