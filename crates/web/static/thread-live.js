// Live thread updates (progressive enhancement): on the newest page of a thread, new messages are
// appended as they are posted, through Server-Sent Events. Without JavaScript, or without
// EventSource, the page works as before (reload to see new messages).
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list || !list.dataset.live || !("EventSource" in window)) return;
  var status = document.getElementById("live-status");
  var url = list.dataset.live;
  if (list.dataset.after) url += "?after=" + encodeURIComponent(list.dataset.after);
  // The browser reconnects by itself, sending the id of the last message it received.
  var source = new EventSource(url);
  source.addEventListener("message", function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (document.getElementById("m-" + data.id)) return;
    var template = document.createElement("template");
    template.innerHTML = data.html.trim();
    var item = template.content.firstElementChild;
    if (!item) return;
    item.classList.add("message-new");
    list.appendChild(item);
    if (status) status.textContent = data.announce;
  });
})();
