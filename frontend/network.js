// The network view (issue 16): sigma draws the positions the server computed; nothing is laid
// out in the browser. Long work is cut into slices that give the main thread back between them
// (no task longer than about 50 ms), so the page never freezes on a large network. The table
// view, offered first on the page, is the accessible route; here the keyboard search selects an
// entity and the panel says what it is in words.
import Graph from "graphology";
import Sigma from "sigma";

const KIND = {
  child: { name: "Child", colour: "#1d70b8" },
  adult: { name: "Adult", colour: "#d4351c" },
  vehicle: { name: "Vehicle", colour: "#4c2c92" },
  phone: { name: "Phone", colour: "#00703c" },
  place: { name: "Place", colour: "#b58840" },
};
const FLAGS = { cse: "sexual exploitation", cce: "criminal exploitation", drugs: "drugs", weapons: "weapons" };
const SLICE_MS = 30;

const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

// Run fn over items in slices of at most SLICE_MS, giving the main thread back between them.
async function inSlices(items, fn) {
  let start = performance.now();
  for (let i = 0; i < items.length; i += 1) {
    fn(items[i], i);
    if (performance.now() - start > SLICE_MS) {
      await yieldToPage();
      start = performance.now();
    }
  }
}

// Without a graphics card (software WebGL: SwiftShader, llvmpipe), sigma's first frames hold
// the page for about a second in tasks that nothing can slice (docs/networks.md: 1.2 s for
// 3,745 entities in headless Chromium), and each selection after that for most of a second.
// There a large network's picture waits until the person asks for it; the search, the panel
// and the table view work without it.
const SOFTWARE_DRAWS_AT_ONCE = 40;

function drawnWithoutGraphicsCard() {
  const canvas = document.createElement("canvas");
  const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
  if (!gl) return true;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
}

function offerToDraw(container, count, draw) {
  const notice = document.createElement("div");
  notice.className = "govuk-inset-text tocsin-network-notice";
  notice.append(
    text(
      "p",
      `This computer draws pictures without a graphics card, so drawing ${count.toLocaleString("en-GB")} entities ` +
        "would stop the page responding for a second or more. Find an entity above, or use the table view.",
      "govuk-body",
    ),
  );
  const table = document.createElement("a");
  table.className = "govuk-link";
  table.href = container.dataset.table;
  table.textContent = "View the network as tables";
  const tableLine = document.createElement("p");
  tableLine.className = "govuk-body";
  tableLine.append(table);
  const button = text("button", "Draw the picture anyway", "govuk-button govuk-button--secondary");
  button.type = "button";
  button.addEventListener("click", () => {
    button.disabled = true;
    button.textContent = "Drawing the picture…";
    setTimeout(() => {
      notice.remove();
      container.hidden = false;
      draw();
    }, 50); // the button's new words are painted before the page stops
  });
  notice.append(tableLine, button);
  // Beside the picture's place, not in it: the picture is an image to assistive technology.
  container.before(notice);
  container.hidden = true;
  return notice;
}

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

function showPanel(panel, graph, links, node, select) {
  const a = graph.getNodeAttributes(node);
  panel.replaceChildren();
  panel.append(text("h2", a.label, "govuk-heading-s"));
  const list = document.createElement("dl");
  list.className = "govuk-summary-list govuk-summary-list--no-border";
  const rows = [
    ["Kind", KIND[a.kind].name],
    ["Network", a.network || "none"],
    ["Children linked", String(a.children)],
    ["Links", String(a.links)],
    ["Concerns", String(a.concerns)],
    ["Independent reporters", String(a.reporters)],
    ["Agencies", a.agencies.join(", ")],
    ["Marked", a.flags.map((f) => FLAGS[f]).join(", ") || "no"],
    ["Seen", a.first_seen === a.last_seen ? a.first_seen : `${a.first_seen} to ${a.last_seen}`],
  ];
  for (const [key, value] of rows) {
    const row = document.createElement("div");
    row.className = "govuk-summary-list__row";
    row.append(text("dt", key, "govuk-summary-list__key"), text("dd", value, "govuk-summary-list__value"));
    list.append(row);
  }
  panel.append(list);
  const neighbours = links.neighbors(node);
  if (neighbours.length) {
    panel.append(text("h3", `Linked to (${neighbours.length})`, "govuk-heading-s"));
    const ul = document.createElement("ul");
    ul.className = "govuk-list";
    for (const other of neighbours.slice(0, 50)) {
      const o = graph.getNodeAttributes(other);
      const li = document.createElement("li");
      const button = text("button", `${o.label} (${KIND[o.kind].name.toLowerCase()})`, "govuk-link tocsin-link-button");
      button.type = "button";
      button.addEventListener("click", () => select(other, true));
      li.append(button);
      ul.append(li);
    }
    panel.append(ul);
    if (neighbours.length > 50) panel.append(text("p", `and ${neighbours.length - 50} more: see the table view`, "govuk-body-s"));
  }
}

async function start(container) {
  const search = document.getElementById("network-search");
  const status = document.getElementById("network-search-status");
  const panel = document.getElementById("network-panel");
  const names = document.getElementById("network-names");
  status.textContent = "Loading the network…";
  const response = await fetch(container.dataset.src, { credentials: "same-origin" });
  if (!response.ok) {
    status.textContent = "The network could not be loaded. Use the table view instead.";
    return;
  }
  const data = await response.json();
  await yieldToPage();
  const graph = new Graph({ type: "undirected", multi: false });
  const most = Math.max(1, ...data.nodes.map((n) => n.links));
  await inSlices(data.nodes, (n) => {
    graph.addNode(n.id, {
      ...n,
      size: 3 + 9 * Math.sqrt(n.links / most),
      color: KIND[n.kind].colour,
    });
  });
  // The links live in a graph of their own; the picture draws those of the selected entity
  // only (drawing tens of thousands of lines at once blocks a software-rendered page).
  const links = new Graph({ type: "undirected", multi: false });
  await inSlices(data.nodes, (n) => links.addNode(n.id));
  await inSlices(data.edges, (e) => {
    if (!links.hasEdge(e.source, e.target)) links.addEdge(e.source, e.target, { weight: e.weight });
  });
  await yieldToPage();
  let renderer = null;
  let selected = null;
  const draw = () => {
    // Sizes are in screen pixels. Sigma 4's default ("positions") reads node and edge sizes in the
    // units of x and y, and the server's positions lie in [-1, 1]², so every dot (3 to 12) would
    // be wider than the whole network: one block of colour, each dot filling the canvas.
    renderer = new Sigma(graph, container, {
      settings: { hideEdgesOnMove: true, labelRenderedSizeThreshold: 9, itemSizesReference: "screen" },
    });
    renderer.on("clickNode", ({ node }) => select(node, false));
    if (selected) select(selected, false);
  };
  const select = (node, focusPanel) => {
    if (renderer) {
      if (selected && graph.hasNode(selected)) renderer.setNodeState(selected, { isHighlighted: false, isHovered: false });
      graph.clearEdges();
      links.forEachEdge(node, (edge, attributes, source, target) => {
        graph.addEdge(source, target, { size: Math.min(4, 0.5 + attributes.weight), color: "#505a5f" });
      });
      renderer.setNodeState(node, { isHighlighted: true, isHovered: true });
      // The camera works in sigma's framed coordinates. The node's display data is not a safe
      // source: right after the graph changes (clearEdges above), sigma 4 holds the raw
      // positions there until its next frame, and the camera would fly off the picture.
      const { x, y } = graph.getNodeAttributes(node);
      const target = renderer.graphToFramedGraph({ x, y });
      renderer.getCamera().animate({ x: target.x, y: target.y, ratio: 0.3 }, { duration: 400 });
    }
    selected = node;
    showPanel(panel, graph, links, node, select);
    if (focusPanel) panel.focus();
  };
  const software = drawnWithoutGraphicsCard();
  container.dataset.software = String(software); // what the page decided on, for its tests
  if (data.nodes.length > SOFTWARE_DRAWS_AT_ONCE && software) {
    offerToDraw(container, data.nodes.length, draw);
  } else {
    draw();
  }

  // Keyboard search: the datalist offers the labels; Enter selects the first match.
  const labels = [];
  await inSlices(data.nodes, (n) => labels.push([n.label.toLowerCase(), n.id]));
  const options = document.createDocumentFragment();
  await inSlices(data.nodes.slice(0, 5000), (n) => {
    const option = document.createElement("option");
    option.value = n.label;
    options.append(option);
  });
  names.append(options);
  search.disabled = false;
  status.textContent = `${data.nodes.length.toLocaleString("en-GB")} entities loaded.`;
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const wanted = search.value.trim().toLowerCase();
    if (!wanted) return;
    const exact = labels.find(([label]) => label === wanted);
    const found = exact || labels.find(([label]) => label.includes(wanted));
    if (!found) {
      status.textContent = `Nothing in the network matches “${search.value.trim()}”.`;
      return;
    }
    const matches = labels.filter(([label]) => label.includes(wanted)).length;
    status.textContent = matches > 1 ? `${matches} entities match; showing the first.` : "Found.";
    select(found[1], true);
  });
  container.dataset.ready = "true";
}

const container = document.getElementById("network-graph");
if (container) {
  start(container).catch(() => {
    const status = document.getElementById("network-search-status");
    if (status) status.textContent = "The network could not be drawn here. Use the table view instead.";
  });
}
