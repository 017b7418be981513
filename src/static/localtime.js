/*
 * localtime — the reader's own time next to each instant a page gives in the
 * process's zone. A page writes <time datetime="2026-12-22T22:59:59Z"
 * data-local data-tz="Europe/Zurich">22 December 2026, 23:59 Zurich time
 * (UTC+1)</time>; where the browser tells its zone (Intl) and it is another
 * one, this adds " (your time: 22 December 2026, 17:59 New York time, UTC-5)". Without
 * JavaScript the page says everything already: this only adds.
 *
 * In the page's language: the words around the time are the catalogue's, given
 * by the page in the script element's data-your-time ("(votre heure : %s)"), and
 * a page in another language than English has the instant written by Intl in
 * that language (the house style's "New York time" is English words), with the
 * digits the page's own instant is written in: the server's ICU and the browser's
 * Intl may choose differently for a language (Arabic: ٢٠٢١ or 2021, as CLDR's
 * default moved), and one page must not mix the two.
 */
(function () {
	"use strict";
	var zone;
	try {
		zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	} catch (e) {
		return;
	}
	if (!zone || !document.querySelectorAll)
		return;
	var lang = document.documentElement.getAttribute("lang") || "en";
	var me = document.querySelector("script[data-your-time]");
	var label = (me && me.getAttribute("data-your-time")) || "(your time: %s)";
	var translated = !/^en(-|$)/i.test(lang);
	/* The numbering system of the digits a text is written in: the page's instant tells which the server used. */
	function numbering(text) {
		if (/[\u0660-\u0669]/.test(text))
			return "arab";
		if (/[\u06F0-\u06F9]/.test(text))
			return "arabext";
		return "latn";
	}
	var locals = {};
	/* Intl's formatter for the page's language writing digits of numbering system nu; null where Intl has none. */
	function local(nu) {
		if (!translated)
			return null;
		if (!(nu in locals)) {
			try {
				locals[nu] = new Intl.DateTimeFormat(lang, {
					day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
					hourCycle: "h23", timeZoneName: "shortOffset", numberingSystem: nu
				});
			} catch (e) {
				locals[nu] = null;
			}
		}
		return locals[nu];
	}
	/* The site's own way of writing an instant: "15 February 2021, 17:59 New York time, UTC-5". */
	var parts;
	try {
		parts = new Intl.DateTimeFormat("en-GB", {
			day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
			hourCycle: "h23", timeZoneName: "shortOffset"
		});
	} catch (e) {
		parts = new Intl.DateTimeFormat("en-GB", {
			day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
			hourCycle: "h23", timeZoneName: "short"
		});
	}
	var city = zone.slice(zone.lastIndexOf("/") + 1).replace(/_/g, " ");
	function said(when, nu) {
		var f = local(nu);
		if (f)
			return f.format(when);
		var p = {};
		parts.formatToParts(when).forEach(function (x) { p[x.type] = x.value; });
		var offset = (p.timeZoneName || "").replace(/^GMT/, "UTC");
		if (offset === "UTC")
			offset = "UTC+0";
		var day = p.day + " " + p.month + " " + p.year + ", " + p.hour + ":" + p.minute;
		/* A reader on UTC itself (zone "UTC" or "Etc/UTC"): "22:59 UTC", not "22:59 UTC time, UTC+0". */
		if (/^(Etc\/)?(UTC|GMT|Zulu|UCT|Universal)$/.test(zone))
			return day + " UTC";
		return day + " " + city + " time" + (offset ? ", " + offset : "");
	}
	var times = document.querySelectorAll("time[data-local]");
	for (var i = 0; i < times.length; i++) {
		var t = times[i], when = new Date(t.getAttribute("datetime"));
		if (isNaN(when.getTime()) || t.getAttribute("data-tz") === zone)
			continue;
		var yours = document.createElement("span");
		yours.className = "your-time";
		var at = said(when, numbering(t.textContent));
		yours.textContent = " " + label.replace("%s", function () { return at; });
		t.parentNode.insertBefore(yours, t.nextSibling);
	}
})();
