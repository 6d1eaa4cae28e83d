// Live updates of the tickets page: the server says on a websocket when what the page shows has
// changed ({"version": n}); the page is then fetched again and its ticket lists swapped in.
// Without this script (or without websockets) the page is complete and a reload shows the news.
(() => {
  "use strict";
  const lists = document.getElementById("ticket-lists");
  const status = document.getElementById("live-status");
  if (!lists || !("WebSocket" in window) || !("DOMParser" in window)) return;

  let version = lists.getAttribute("data-version");
  let delay = 1000;
  let fetching = false;
  let again = false;

  const say = (text) => {
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
  };

  const time = () => new Date().toLocaleTimeString();

  const refresh = async () => {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("ticket-lists");
      if (!fresh) throw new Error("no ticket lists in the answer");
      const current = document.getElementById("ticket-lists");
      current.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.adoptNode(node)));
      version = fresh.getAttribute("data-version");
      current.setAttribute("data-version", version);
      say(`Live: updated at ${time()}.`);
    } catch (e) {
      say(`Could not update the list (${e.message}); reload the page to see the latest.`);
    } finally {
      fetching = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  };

  const connect = () => {
    const socket = new WebSocket(
      `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/tickets/live`,
    );
    socket.addEventListener("open", () => {
      delay = 1000;
      say("Live: this list updates itself.");
    });
    socket.addEventListener("message", (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (String(data.version) !== version) refresh();
    });
    socket.addEventListener("close", () => {
      say("Live updates paused; reconnecting…");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };

  connect();
})();
