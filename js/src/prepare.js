function render({ model, el }) {
  const d = document.createElement("div");
  d.className = "qd-prepare";
  d.textContent = model.get("status");
  el.append(d);
  return () => d.remove();
}
export default { render };
