/* Progressive enhancement of the finder form: without this script the form GETs "/" and the server
   renders the answer. With it: answers come from /api/match without a page load (the address bar still
   gets the page URL, so reload and share work), places complete from /api/places, and the browser's
   location can stand in for a place. Everything shown is built with textContent (no HTML injection). */
(function () {
  "use strict";
  var text = JSON.parse(document.getElementById("finder-text").textContent);
  var form = document.getElementById("finder");
  var answer = document.getElementById("answer");
  var status = document.getElementById("status");
  var q = document.getElementById("q"), near = document.getElementById("near");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var lang = form.elements.lang.value;
  var zh = lang === "zh";
  if (!window.fetch || !window.URLSearchParams) { return; }
  var mapBox = document.getElementById("results-map");
  var mapConfig = JSON.parse(document.getElementById("map-config").textContent);
  function drawMap(points) {
    if (window.ipgraphMap) { window.ipgraphMap(mapBox, mapConfig, points); }
  }
  function mapPoints(body) {  /* the same points finder.py's map_points gives the server-rendered page */
    var shown = body.results.length ? body.results : ((body.alternative || {}).results || []);
    var points = shown.filter(function (r) { return typeof r.lat === "number"; }).map(function (r) {
      return {lat: r.lat, lon: r.lon, label: r.label, rank: r.rank, href: r.id ? page(r.id) : r.iri, role: "result"};
    });
    var place = body.interpretation.place;
    if (place && typeof place.lat === "number") {
      points.push({lat: place.lat, lon: place.lon, role: "place",
                   label: (place.region && place.region.path) || place.matched || (zh ? "所查地点" : "Your place")});
    }
    return points;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function say(message) { status.textContent = message; }

  function params(offset) {
    var p = new URLSearchParams();
    p.set("q", q.value);
    if (lat.value && lon.value) { p.set("lat", lat.value); p.set("lon", lon.value); }
    else if (near.value.trim()) { p.set("near", near.value); }
    if (form.elements.free.checked) { p.set("free", "true"); }
    p.set("lang", lang);
    if (offset) { p.set("offset", String(offset)); }
    return p;
  }

  function distance(km) {
    if (km === null || km === undefined) { return null; }
    return km < 1 ? Math.round(km * 1000) + " m" : km.toFixed(1) + " km";
  }
  var back = null;  /* the results page an institution page links back to (set for each answer shown) */
  function page(id) {
    var p = new URLSearchParams();
    if (!zh) { p.set("lang", "en"); }
    if (back) { p.set("back", back); }
    var query = p.toString();
    return "/id/institution/" + encodeURIComponent(id) + (query ? "?" + query : "");
  }
  var order = {phone: 0, web: 1, window: 2, onsite: 3};

  function channelItem(c) {
    var items = [];
    (c.telephone || []).forEach(function (t) { items.push(el("a", {href: "tel:" + t.replace(/ /g, "")}, [t])); });
    (c.url || []).forEach(function (u) { if (/^https?:\/\//.test(u)) items.push(el("a", {href: u}, [u])); });
    (c.email || []).forEach(function (e) { items.push(el("a", {href: "mailto:" + e}, [e])); });
    (c.address || []).forEach(function (a) { items.push(document.createTextNode(a)); });
    var li = el("li", {}, [(c.label || c.type || "") + (zh ? "：" : ": ")]);
    items.forEach(function (item, i) { if (i) li.appendChild(document.createTextNode(zh ? "，" : ", ")); li.appendChild(item); });
    return li;
  }

  function result(r, alternative) {
    var services = el("ul", {"class": "plain"}), channels = {}, list = [];
    r.matched_offerings.forEach(function (m) {
      var li = el("li", {}, [m.concept.label]);
      if (m.match_type !== "exact" && m.via) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", {"class": "hint"}, [zh ? "（由“" + m.via.label + "”扩展）" : "(narrower than “" + m.via.label + "”)"]));
      }
      if (m.fee) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", {"class": "tag" + (m.free ? " free" : "")}, [m.fee.label])); }
      if (m.reachable_from_anywhere) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", {"class": "tag remote"}, [zh ? "可远程办理" : "reachable from anywhere"])); }
      services.appendChild(li);
      m.channels.forEach(function (c) { if (!channels[c.iri]) { channels[c.iri] = c; list.push(c); } });
    });
    list.sort(function (a, b) { return (order[a.type] === undefined ? 9 : order[a.type]) - (order[b.type] === undefined ? 9 : order[b.type]); });
    var head = el("div", {"class": "result-head"}, [
      el("h2", {}, [el("span", {"class": "rank"}, [r.rank + "."]), el("a", {href: r.id ? page(r.id) : r.iri}, [r.label])])]);
    var d = distance(r.distance_km);
    if (d) { head.appendChild(el("span", {"class": "distance"}, [d])); }
    if (alternative) { head.appendChild(el("span", {"class": "tag alt"}, [zh ? "替代结果" : "alternative"])); }
    var kind = (r.kind && r.kind.label) || "";
    if (r.region && r.region.path) { kind += " · " + r.region.path; }
    var dl = el("dl", {}, [el("dt", {}, [zh ? "匹配的服务" : "Matching services"]), el("dd", {}, [services])]);
    if (list.length) {
      dl.appendChild(el("dt", {}, [zh ? "联系方式" : "Contact"]));
      dl.appendChild(el("dd", {}, [el("ul", {"class": "plain"}, list.map(channelItem))]));
    }
    var guides = (r.coordinated_by || []).concat(r.guided_by || []);
    if (guides.length) {
      var dd = el("dd", {});
      guides.forEach(function (g, i) { if (i) dd.appendChild(document.createTextNode(zh ? "；" : "; ")); dd.appendChild(el("a", {href: g.id ? page(g.id) : g.iri}, [g.label])); });
      dl.appendChild(el("dt", {}, [zh ? "指导、协调机构" : "Guided / coordinated by"]));
      dl.appendChild(dd);
    }
    return el("li", {"class": alternative ? "result alternative" : "result", "data-iri": r.iri}, [head, el("p", {"class": "kind"}, [kind]), dl]);
  }

  function interpretation(i) {
    var how = {exact: ["名称", "name"], synonym: ["同义词", "synonym"], notation: ["条款编号", "notation"], partial: ["部分匹配", "partial match"]};
    var concepts = i.concepts.map(function (c) { var h = (how[c.how] || [c.how, c.how])[zh ? 0 : 1]; return zh ? c.label + "（" + h + "）" : c.label + " (" + h + ")"; });
    var parts = [(zh ? "服务：" : "Service: ") + concepts.join(zh ? "、" : "; ")];
    if (i.expanded_to && i.expanded_to.length) { parts.push(zh ? "含下位服务 " + i.expanded_to.length + " 项" : "including " + i.expanded_to.length + " narrower services"); }
    if (i.place) {
      var named = i.place.how === "national list" ? i.place.matched : null;  /* a place of another province */
      parts.push((zh ? "地点：" : "place: ") + ((i.place.region && i.place.region.path) || named || i.place.lat.toFixed(4) + ", " + i.place.lon.toFixed(4)));
    }
    return (zh ? "理解为：" : "Understood as: ") + parts.join(zh ? "；" : "; ") + (zh ? "。" : ".");
  }

  function showAnswer(body, offset) {
    back = "/?" + params(offset).toString();
    var shown = body.results.length, total = body.total, byDistance = body.ordered_by === "distance";
    var order = zh ? (byDistance ? "按距离由近到远排列" : "未按距离排列") : (byDistance ? "nearest first" : "not ordered by distance");
    var summary = shown ? (zh ? "共有 " + total + " 家机构提供该服务，" + order + "，以下为第 " + (offset + 1) + "–" + (offset + shown) + " 家。"
                                : total + " institutions offer this service, " + order + "; showing " + (offset + 1) + "–" + (offset + shown) + ".")
                        : (zh ? "没有找到符合条件的机构。" : "No institution matches.");
    var nodes = [el("h2", {id: "answer-title", "class": "summary", style: "font-size:1rem;font-weight:400"}, [summary]),
                 el("p", {"class": "hint"}, [interpretation(body.interpretation)])];
    (body.notices || []).forEach(function (n) { nodes.push(el("p", {"class": "notice", "data-code": n.code}, [n.message])); });
    if (shown) {
      nodes.push(el("ol", {"class": "results", start: String(offset + 1)}, body.results.map(function (r) { return result(r, false); })));
      var nav = el("nav", {"class": "pages", "aria-label": zh ? "翻页" : "Pages"});
      if (offset > 0) { nav.appendChild(pager(Math.max(0, offset - body.limit), zh ? "上一页" : "Previous", "prev")); } else { nav.appendChild(el("span")); }
      if (offset + shown < total) { nav.appendChild(pager(offset + body.limit, zh ? "下一页" : "Next", "next")); }
      if (nav.querySelector("a")) { nodes.push(nav); }
    }
    var alt = body.alternative;
    if (alt && alt.results.length) {
      var names = alt.concepts.map(function (c) { return c.label; }).join(zh ? "、" : "; ");
      var title = zh ? "替代结果：提供上位服务“" + names + "”的机构（最近的 " + alt.results.length + " 家）"
                     : "Alternatives: institutions offering the broader service “" + names + "” (nearest " + alt.results.length + ")";
      nodes.push(el("section", {"class": "alternative", "aria-labelledby": "alternative-title"}, [
        el("h3", {id: "alternative-title", style: "font-size:1rem"}, [title]),
        el("ol", {"class": "results"}, alt.results.map(function (r) { return result(r, true); }))]));
    }
    answer.replaceChildren.apply(answer, nodes);
    drawMap(mapPoints(body));
  }

  function pager(offset, label, rel) {
    var a = el("a", {href: "/?" + params(offset).toString(), rel: rel}, [label]);
    a.addEventListener("click", function (event) { event.preventDefault(); search(offset); });
    return a;
  }

  function showError(body) {
    var box = el("div", {"class": "error", id: "finder-error", role: "alert"},
                 [el("h2", {id: "answer-title", style: "font-size:1rem;margin:0"}, [body.message || text.failed])]);
    var options = (body.suggestions || []).concat(body.candidates || []).slice(0, 8);
    if (options.length) {
      var ul = el("ul");
      options.forEach(function (s) {
        var p = params(0), label;
        if (s.adcode) { label = (zh ? s.path_zh : s.path_en) || s.adcode; p.set("near", s.adcode); p.delete("lat"); p.delete("lon"); }
        else { label = (zh ? s.label_zh : s.label_en) || (s.labels && s.labels[lang]) || s.iri; p.set("q", label); }
        ul.appendChild(el("li", {}, [el("a", {href: "/?" + p.toString()}, [label])]));
      });
      box.appendChild(el("p", {style: "margin:.25rem 0 0"}, [zh ? "可以试试：" : "Try instead:"]));
      box.appendChild(ul);
    }
    answer.replaceChildren(box);
    mapBox.hidden = true;
    var field = body.field === "near" || body.field === "lat" || body.field === "lon" ? near : q;
    field.setAttribute("aria-invalid", "true");
  }

  function search(offset) {
    var p = params(offset);
    say(text.searching);
    q.removeAttribute("aria-invalid"); near.removeAttribute("aria-invalid");
    return fetch("/api/match?" + p.toString(), {headers: {Accept: "application/json"}}).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, status: response.status, body: body}; });
    }).then(function (reply) {
      history.pushState(null, "", "/?" + p.toString());
      if (reply.ok) { showAnswer(reply.body, offset || 0); }
      else if (reply.status >= 400 && reply.status < 500) { showError(reply.body); }
      else { throw new Error(String(reply.status)); }
      say(document.getElementById("answer-title").textContent);
    }).catch(function () { form.submit(); });
  }

  form.addEventListener("submit", function (event) {
    if (!q.value.trim()) { return; }
    event.preventDefault();
    search(0);
  });
  window.addEventListener("popstate", function () { location.reload(); });

  near.addEventListener("input", function () {
    lat.value = ""; lon.value = "";
    var typed = near.value.trim();
    if (typed.length < 1) { return; }
    fetch("/api/places?" + new URLSearchParams({q: typed, lang: lang}).toString()).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        var list = document.getElementById("place-list");
        var places = Array.isArray(body) ? body : (body.places || body.results || []);
        list.replaceChildren.apply(list, places.slice(0, 10).map(function (p) {
          var label = (p.labels && p.labels[lang]) || (p.labels && p.labels.zh) || p.label || p.adcode;
          return el("option", {value: label}, [p.path || p.adcode || ""]);
        }));
      }).catch(function () {});
  });

  var initial = document.getElementById("answer-points");  /* the answer the server rendered */
  if (initial) { drawMap(JSON.parse(initial.textContent)); }

  var locate = document.getElementById("locate");
  if (navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      say(text.locating);
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(5);
        lon.value = position.coords.longitude.toFixed(5);
        near.value = "";
        near.placeholder = text.my_location + " (" + lat.value + ", " + lon.value + ")";
        say(text.located);
      }, function () { say(text.no_location); near.focus(); }, {timeout: 10000, maximumAge: 600000});
    });
  }
})();
