"""Graph questions over actors and events: a networkx graph built from an RDF export.

The RDF side is read only through the standard profile of ``shared/eval/CONTRACT.md``
(SEM, schema.org, W3C ORG, PROV-O, SKOS), plus ``kgo:family`` on event types when present,
so these functions work on any graph that follows the profile, including hand-written ones.

:func:`to_networkx` turns the RDF graph into a bipartite :class:`networkx.MultiDiGraph`:
one node per actor and per event (keyed by IRI), and one edge ``event -> actor`` per
participation, keyed and attributed by the actor's role in the event. The questions
(:func:`neighbors`, :func:`path`, :func:`timeline`, :func:`central`) are plain functions
that take that graph first; :func:`plot_timeline` draws a timeline with matplotlib.

Examples
--------
>>> G = to_networkx(load("tests/data/graph-small.ttl"))
>>> putin = find_actor(G, "putin")
>>> [(row["label"], row["count"]) for row in neighbors(G, putin)][:2]
[('Xi Jinping', 2), ('China', 1)]
>>> [hop["to_label"] for hop in path(G, "Kim Yo Jong", "Wang Yi")]
['China', 'Vladimir Putin', 'Wang Yi']
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import warnings
from collections import Counter, defaultdict, deque
from pathlib import Path

import networkx as nx
import rdflib
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import ORG, PROV, SKOS

from kg.errors import GraphError, QueryError
from kg.namespace import KGO, SEM

__all__ = [
    "FAMILIES",
    "actor_projection",
    "central",
    "family_of_code",
    "find_actor",
    "load",
    "neighbors",
    "path",
    "plot_timeline",
    "timeline",
    "to_networkx",
]

# --------------------------------------------------------------------------- vocabulary

# schema.org is https:// in the profile; http:// is still common in hand-written graphs.
_SCHEMA = ("https://schema.org/", "http://schema.org/")
_EARLIEST = (SEM.hasEarliestBeginTimeStamp, SEM.hasBeginTimeStamp)
_LATEST = (SEM.hasLatestEndTimeStamp, SEM.hasEndTimeStamp)


def _schema(name: str) -> tuple[URIRef, ...]:
    return tuple(URIRef(ns + name) for ns in _SCHEMA)


ACTOR_TYPES = {"Person": _schema("Person"), "Country": _schema("Country"),
               "Organization": _schema("Organization")}

#: Event-type families by CAMEO root code (the ``kgo:family`` values of ontology/MODEL.md).
FAMILIES = {
    "01": "statement", "02": "appeal", "03": "intent", "04": "consult", "05": "cooperate",
    "06": "cooperate", "07": "aid", "08": "yield", "09": "investigate", "10": "demand",
    "11": "disapprove", "12": "reject", "13": "threaten", "14": "protest", "15": "posture",
    "16": "reduce", "17": "coerce", "18": "assault", "19": "assault", "20": "assault",
}
#: Family of an event whose type has neither ``kgo:family`` nor a CAMEO notation.
OTHER_FAMILY = "other"

_CENTRALITIES = ("degree", "weighted", "betweenness", "pagerank")
_FORMATS = {
    "ttl": "turtle", "turtle": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "jsonld": "json-ld", "json-ld": "json-ld", "json": "json-ld",
    "trig": "trig", "nq": "nquads", "nquads": "nquads", "n-quads": "nquads",
}
_QUAD_FORMATS = {"trig", "nquads"}


def family_of_code(code: str | None) -> str:
    """Return the event family of a CAMEO code, from its two-digit root.

    Examples
    --------
    >>> family_of_code("042"), family_of_code("0311"), family_of_code("19"), family_of_code("x")
    ('consult', 'intent', 'assault', 'other')
    """
    if not code:
        return OTHER_FAMILY
    return FAMILIES.get(str(code)[:2], OTHER_FAMILY)


# --------------------------------------------------------------------------- loading


def load(*paths, format: str | None = None) -> rdflib.Graph:
    """Read one or more RDF files into one :class:`rdflib.Graph`.

    The format comes from each file's suffix (``.ttl .nt .jsonld .json .trig .nq``) unless
    ``format`` names it. TriG and N-Quads files give the union of all their graphs. JSON-LD
    contexts are never fetched: a file that refers to a context by URL is refused.

    Raises :class:`kg.errors.QueryError` for a missing, unreadable or unparsable file.

    Examples
    --------
    >>> len(load("tests/data/graph-small.ttl")) > 100
    True
    >>> load("graph.ttl2")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: cannot guess the format of 'graph.ttl2'; expected a file ending in .jsonld, .nq, .nt, .trig, .ttl, or pass format= one of: json, json-ld, jsonld, n-quads, n-triples, nq, nquads, nt, ntriples, trig, ttl, turtle
    """
    if not paths:
        raise QueryError("no graph file given")
    if format is not None and format.lower() not in _FORMATS:
        raise QueryError(f"unknown format {format!r}; expected one of: {_format_names()}")
    graph = rdflib.Graph()
    for item in paths:
        file = Path(item)
        name = _FORMATS[format.lower()] if format else _guess_format(file)
        if not file.is_file():
            raise QueryError(f"cannot read {str(file)!r}: no such file")
        try:
            with warnings.catch_warnings():
                # rdflib 7 warns about its own deprecated internals while parsing datasets
                warnings.simplefilter("ignore", DeprecationWarning)
                if name in _QUAD_FORMATS:
                    dataset = rdflib.Dataset(default_union=True)
                    dataset.parse(str(file), format=name)
                    graph.addN((s, p, o, graph) for s, p, o in dataset.triples((None, None, None)))
                    for prefix, namespace in dataset.namespaces():
                        graph.bind(prefix, namespace, override=False)
                elif name == "json-ld":
                    text = file.read_text(encoding="utf-8")
                    _refuse_remote_contexts(json.loads(text), file)
                    graph.parse(data=text, format="json-ld", publicID=file.resolve().as_uri())
                else:
                    graph.parse(str(file), format=name)
        except QueryError:
            raise
        except Exception as exc:  # rdflib raises many kinds; the message is what matters
            detail = " ".join(str(exc).split())[:300] or type(exc).__name__
            raise QueryError(f"cannot read {str(file)!r} as {name}: {detail}") from exc
    return graph


def _format_names() -> str:
    return ", ".join(sorted(_FORMATS))


def _guess_format(file: Path) -> str:
    suffix = file.suffix.lower().lstrip(".")
    if suffix in ("ttl", "nt", "jsonld", "json", "trig", "nq"):
        return _FORMATS[suffix]
    raise QueryError(
        f"cannot guess the format of {str(file)!r}; expected a file ending in "
        f".jsonld, .nq, .nt, .trig, .ttl, or pass format= one of: {_format_names()}"
    )


def _refuse_remote_contexts(data, file: Path) -> None:
    """Raise QueryError if a JSON-LD document refers to a context by URL or path."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    refs = value if isinstance(value, list) else [value]
                    for ref in refs:
                        if isinstance(ref, str):
                            raise QueryError(
                                f"cannot read {str(file)!r} as json-ld: it refers to the context "
                                f"{ref!r}, and contexts are never fetched; embed the context "
                                "in the file instead")
                stack.append(value)


# --------------------------------------------------------------------------- RDF -> networkx


def _key(term) -> str:
    """The node key of an RDF term: the IRI, or ``_:id`` for a blank node."""
    return term.n3() if isinstance(term, BNode) else str(term)


def _local_name(term) -> str:
    text = str(term).rstrip("/#")
    return re.split(r"[/#:]", text)[-1] or text


def _pick(literals) -> str | None:
    """One literal, deterministically: untagged or English first, then alphabetical."""
    values = [lit for lit in literals if isinstance(lit, Literal)]
    if not values:
        return None
    return str(min(values, key=lambda lit: (lit.language not in (None, "en"), str(lit))))


def to_networkx(rdf_graph: rdflib.Graph) -> nx.MultiDiGraph:
    """Build the bipartite actor-event graph of an RDF export.

    Nodes are keyed by IRI. Actors have ``kind="actor"``, ``label``, ``aliases``,
    ``actor_type`` (Person, Country, Organization or None) and ``titles`` (from
    ``org:Membership``). Events have ``kind="event"``, ``label``, ``codes`` (CAMEO
    notations), ``type_label``, ``family``, ``date``/``earliest``/``latest`` (ISO strings or
    None), ``status`` ("planned" or "occurred"), ``places`` (labels) and ``sources`` (dicts with
    id, headline, url, published). Each edge goes from an event to an actor, is keyed by the
    role and has ``role``: the lower-cased local name of ``sem:roleType``, or "participant"
    for a plain ``sem:hasActor``.

    Examples
    --------
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> e1 = G.nodes["https://w3id.org/kg-news/id/event/e1"]
    >>> e1["codes"], e1["family"], e1["date"], e1["status"], e1["places"]
    (['04', '042'], 'consult', '2023-03-20', 'occurred', ['Moscow'])
    >>> sorted((G.nodes[a]["label"], role) for _, a, role in G.out_edges(
    ...     "https://w3id.org/kg-news/id/event/e1", keys=True))
    [('Vladimir Putin', 'host'), ('Xi Jinping', 'guest')]
    """
    g = rdf_graph

    def by_subject(*predicates) -> dict:
        table = defaultdict(list)
        for predicate in predicates:
            for s, o in g.subject_objects(predicate):
                table[s].append(o)
        return table

    labels = by_subject(RDFS.label)

    def label_of(term) -> str:
        return _pick(labels.get(term, ())) or _local_name(term)

    # actors and their types
    actors = set(g.subjects(RDF.type, SEM.Actor))
    actor_type = {}
    for name in ("Organization", "Country", "Person"):  # Person wins if a graph says both
        for cls in ACTOR_TYPES[name]:
            for s in g.subjects(RDF.type, cls):
                actor_type[s] = name

    # events, participants and roles
    events = set(g.subjects(RDF.type, SEM.Event))
    role_value = by_subject(RDF.value)
    role_type = by_subject(SEM.roleType)
    participations = []  # (event, actor, role)
    for e, x in g.subject_objects(SEM.hasActor):
        events.add(e)
        if x in role_value:
            types = sorted(_local_name(t).lower() for t in role_type.get(x, ()))
            role = types[0] if types else "participant"
            for a in role_value[x]:
                if isinstance(a, (URIRef, BNode)):
                    participations.append((e, a, role))
        elif isinstance(x, (URIRef, BNode)):
            participations.append((e, x, "participant"))
    actors.update(a for _, a, _ in participations)

    # titles of people (W3C ORG memberships)
    org_of = by_subject(ORG.organization)
    role_of = by_subject(ORG.role)
    titles = defaultdict(set)
    for m, person in g.subject_objects(ORG.member):
        for r in role_of.get(m, ()):
            title = label_of(r)
            orgs = sorted(label_of(o) for o in org_of.get(m, ()))
            titles[person].add(f"{title}, {orgs[0]}" if orgs else title)

    G = nx.MultiDiGraph()
    for a in sorted(actors, key=_key):
        G.add_node(
            _key(a), kind="actor", label=label_of(a),
            aliases=sorted({str(o) for o in g.objects(a, SKOS.altLabel)} - {label_of(a)}),
            actor_type=actor_type.get(a), titles=sorted(titles.get(a, ())),
        )

    # event attributes, one predicate scan each
    event_types = by_subject(SEM.eventType)
    stamps = by_subject(SEM.hasTimeStamp)
    earliest = by_subject(*_EARLIEST)
    latest = by_subject(*_LATEST)
    places = by_subject(SEM.hasPlace)
    derived = by_subject(PROV.wasDerivedFrom)
    planned = set(g.subjects(KGO.status, KGO.Planned))
    for status_property in _schema("eventStatus"):
        for scheduled in _schema("EventScheduled"):
            planned.update(g.subjects(status_property, scheduled))

    concepts: dict = {}

    def concept(t) -> tuple:
        if t not in concepts:
            codes = sorted(str(n) for n in g.objects(t, SKOS.notation))
            concepts[t] = (codes, _pick(g.objects(t, SKOS.prefLabel)) or label_of(t),
                           _pick(g.objects(t, KGO.family)))
        return concepts[t]

    articles: dict = {}

    def article(doc) -> dict:
        if doc not in articles:
            def first(name):
                return min((str(o) for p in _schema(name) for o in g.objects(doc, p)),
                           default=None)
            articles[doc] = {"id": first("identifier") or _local_name(doc),
                             "headline": first("headline"), "url": first("url"),
                             "published": first("datePublished")}
        return articles[doc]

    for e in sorted(events, key=_key):
        codes, type_labels, families = set(), [], set()
        for t in event_types.get(e, ()):
            t_codes, t_label, t_family = concept(t)
            codes.update(t_codes)
            type_labels.append((-max((len(c) for c in t_codes), default=0), t_label))
            if t_family:
                families.add(t_family)
        codes = sorted(codes, key=lambda c: (len(c), c))
        if families:
            family = sorted(families)[0]
        else:
            family = family_of_code(codes[-1] if codes else None)
        G.add_node(
            _key(e), kind="event", label=label_of(e), codes=codes,
            type_label=min(type_labels)[1] if type_labels else None, family=family,
            date=min(map(str, stamps.get(e, ())), default=None),
            earliest=min(map(str, earliest.get(e, ())), default=None),
            latest=max(map(str, latest.get(e, ())), default=None),
            status="planned" if e in planned else "occurred",
            places=sorted({label_of(p) for p in places.get(e, ())}),
            sources=sorted((article(d) for d in derived.get(e, ())), key=lambda s: s["id"]),
        )
    for e, a, role in sorted(participations, key=lambda t: (_key(t[0]), _key(t[1]), t[2])):
        G.add_edge(_key(e), _key(a), key=role, role=role)
    return G


# --------------------------------------------------------------------------- helpers

_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _bound(value: str | None, *, end: bool = False) -> str | None:
    """The first (or last) day an ISO date, month or year can mean, as YYYY-MM-DD."""
    if not value:
        return None
    m = _DATE.match(value)
    if not m:
        return None
    year, month, day = m.groups()
    if month is None:
        return f"{year}-12-31" if end else f"{year}-01-01"
    if day is None:
        return f"{year}-{month}-31" if end else f"{year}-{month}-01"
    return f"{year}-{month}-{day}"


def _span(attrs: dict) -> tuple[str | None, str | None]:
    """(first day, last day) of an event, or (None, None) when it has no time."""
    start = attrs.get("date") or attrs.get("earliest") or attrs.get("latest")
    end = attrs.get("date") or attrs.get("latest") or attrs.get("earliest")
    return _bound(start), _bound(end, end=True)


def _when(attrs: dict) -> str | None:
    """A display form of an event's time: the day, or an ISO interval, or None."""
    if attrs.get("date"):
        return attrs["date"]
    if attrs.get("earliest") or attrs.get("latest"):
        return f"{attrs.get('earliest') or '..'}/{attrs.get('latest') or '..'}"
    return None


def _time_key(G, e) -> tuple:
    start, end = _span(G.nodes[e])
    return (start is None, start or "", end or "", G.nodes[e].get("label") or "", e)


def _limit(value, name: str, *, end: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()[:10]
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise GraphError(f"bad {name} date {value!r}; expected YYYY, YYYY-MM or YYYY-MM-DD")
    return _bound(value.strip(), end=end)


def _families(G, families) -> frozenset | None:
    if families is None:
        return None
    wanted = frozenset([families] if isinstance(families, str) else families)
    known = set(FAMILIES.values()) | {OTHER_FAMILY}
    known.update(d["family"] for _, d in G.nodes(data=True) if d.get("kind") == "event")
    unknown = sorted(wanted - known)
    if unknown:
        raise GraphError(f"unknown event family {unknown[0]!r}; expected one of: "
                         + ", ".join(sorted(known)))
    return wanted


def _event_filter(G, families=None, since=None, until=None):
    """A predicate on event ids keeping events of the families that overlap since..until."""
    wanted = _families(G, families)
    low = _limit(since, "since", end=False)
    high = _limit(until, "until", end=True)

    def keep(e) -> bool:
        attrs = G.nodes[e]
        if wanted is not None and attrs.get("family") not in wanted:
            return False
        if low is None and high is None:
            return True
        start, end = _span(attrs)
        if start is None:
            return False  # an undated event is outside every period
        return (low is None or end >= low) and (high is None or start <= high)

    return keep


def _events_of(G, actor) -> list:
    return sorted(set(G.predecessors(actor)))


def _actors_of(G, event) -> list:
    return sorted(set(G.successors(event)))


def _event_summary(G, e) -> dict:
    attrs = G.nodes[e]
    first = attrs.get("sources")[0] if attrs.get("sources") else {}
    return {"id": e, "label": attrs.get("label"), "type": attrs.get("type_label"),
            "family": attrs.get("family"), "date": _when(attrs), "status": attrs.get("status"),
            "source": first.get("id"), "headline": first.get("headline")}


# --------------------------------------------------------------------------- questions


def actor_projection(G, *, families=None, since=None, until=None) -> nx.Graph:
    """Project the actor-event graph on actors: an edge when two actors share an event.

    Edges carry ``weight`` (shared events), ``families`` (family -> count) and ``events``
    (event ids). Every actor is a node, with its attributes, even without edges. The keyword
    filters keep only some events (see :func:`neighbors`).

    Examples
    --------
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> P = actor_projection(G)
    >>> d = P.edges["https://w3id.org/kg-news/id/actor/xi-jinping",
    ...             "https://w3id.org/kg-news/id/actor/vladimir-putin"]
    >>> d["weight"], d["families"]
    (2, {'consult': 1, 'cooperate': 1})
    """
    keep = _event_filter(G, families, since, until)
    P = nx.Graph()
    P.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("kind") == "actor")
    for e, attrs in G.nodes(data=True):
        if attrs.get("kind") != "event" or not keep(e):
            continue
        members = _actors_of(G, e)
        family = attrs.get("family")
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if P.has_edge(a, b):
                    edge = P.edges[a, b]
                    edge["weight"] += 1
                    edge["families"][family] = edge["families"].get(family, 0) + 1
                    edge["events"].append(e)
                else:
                    P.add_edge(a, b, weight=1, families={family: 1}, events=[e])
    for _, _, edge in P.edges(data=True):
        edge["families"] = dict(sorted(edge["families"].items()))
    return P


def _normalise(name: str) -> str:
    text = name.casefold().replace(".", "").replace("\u2019", "'")
    text = re.sub(r"[\s_\-]+", " ", text).strip()
    if text.startswith("the "):
        text = text[4:].strip()
    return text


def find_actor(G, name: str) -> str:
    """Return the id of the actor called ``name``: its IRI, label or an alias.

    Matching ignores case, dots, hyphens and a leading "the". A canonical label wins over
    aliases. Raises :class:`kg.errors.GraphError` listing the candidates when the name is
    ambiguous, and the closest names when nothing matches.

    Examples
    --------
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> find_actor(G, "the u.n")
    'https://w3id.org/kg-news/id/actor/united-nations'
    >>> find_actor(G, "Kim")
    Traceback (most recent call last):
    ...
    kg.errors.GraphError: 'Kim' is ambiguous: Kim Jong Un <https://w3id.org/kg-news/id/actor/kim-jong-un>, Kim Yo Jong <https://w3id.org/kg-news/id/actor/kim-yo-jong>; use a full name or the IRI
    """
    if not isinstance(name, str) or not name.strip():
        raise GraphError(f"bad actor name {name!r}; expected a name, an alias or an IRI")
    if name in G:
        if G.nodes[name].get("kind") != "actor":
            raise GraphError(f"{name!r} is an event, not an actor")
        return name
    wanted = _normalise(name)
    by_label, by_alias, names = set(), set(), {}
    for n, attrs in G.nodes(data=True):
        if attrs.get("kind") != "actor":
            continue
        label = _normalise(attrs.get("label") or "")
        names.setdefault(label, attrs.get("label"))
        if label == wanted:
            by_label.add(n)
        for alias in attrs.get("aliases", ()):
            key = _normalise(alias)
            names.setdefault(key, attrs.get("label"))
            if key == wanted:
                by_alias.add(n)
    found = by_label or by_alias
    if len(found) == 1:
        return next(iter(found))
    if found:
        listed = ", ".join(f"{G.nodes[n].get('label')} <{n}>"
                           for n in sorted(found, key=lambda n: (G.nodes[n].get("label"), n)))
        error = GraphError(f"{name!r} is ambiguous: {listed}; use a full name or the IRI")
        error.candidates = sorted(found)
        raise error
    close = difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.7)
    close += [k for k in sorted(names) if wanted and len(wanted) > 2 and wanted in k.split()]
    suggestions = list(dict.fromkeys(names[k] for k in close))[:5]
    hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
    error = GraphError(f"no actor named {name!r}{hint}")
    error.candidates = []
    raise error


def neighbors(G, actor, *, families=None, since=None, until=None) -> list[dict]:
    """List the actors that share events with ``actor``, most shared events first.

    Each row has ``counterpart`` (id), ``label``, ``count`` (shared events), ``families``
    (family -> count), ``first`` and ``last`` (the earliest and latest time of those events,
    None when none is dated) and ``events`` (ids, in time order). ``families`` keeps events of
    those families (a name or a collection); ``since``/``until`` (YYYY, YYYY-MM or
    YYYY-MM-DD, inclusive) keep dated events that overlap the period.

    Examples
    --------
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> row = neighbors(G, "Xi")[0]
    >>> row["label"], row["count"], row["families"], row["first"], row["last"]
    ('Vladimir Putin', 2, {'consult': 1, 'cooperate': 1}, '2023-03-20', '2023-03-21')
    >>> [r["label"] for r in neighbors(G, "Putin", families="consult", since="2023-03")]
    ['Kim Jong Un', 'Xi Jinping']
    """
    a = find_actor(G, actor)
    keep = _event_filter(G, families, since, until)
    shared = defaultdict(list)
    for e in _events_of(G, a):
        if keep(e):
            for b in _actors_of(G, e):
                if b != a:
                    shared[b].append(e)
    rows = []
    for b, evs in shared.items():
        evs.sort(key=lambda e: _time_key(G, e))
        spans = [(_span(G.nodes[e]), G.nodes[e]) for e in evs]
        dated = [(s, attrs) for s, attrs in spans if s[0] is not None]
        first = min(dated, key=lambda t: t[0][0])[1] if dated else None
        last = max(dated, key=lambda t: t[0][1])[1] if dated else None
        rows.append({
            "counterpart": b, "label": G.nodes[b].get("label"), "count": len(evs),
            "families": dict(sorted(Counter(G.nodes[e].get("family") for e in evs).items())),
            "first": first and (first.get("date") or first.get("earliest") or first.get("latest")),
            "last": last and (last.get("date") or last.get("latest") or last.get("earliest")),
            "events": evs,
        })
    rows.sort(key=lambda r: (-r["count"], r["label"] or "", r["counterpart"]))
    return rows


def path(G, a, b, *, families=None, since=None, until=None) -> list[dict]:
    """Return the shortest chain of interactions from actor ``a`` to actor ``b``.

    Each hop is ``{"from", "to", "from_label", "to_label", "events"}`` where ``events`` lists
    every event (id, label, type, family, date, status, source, headline) the two actors
    share, in time order. Raises :class:`kg.errors.GraphError` when no chain exists.
    Filters as in :func:`neighbors`.

    Examples
    --------
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> hops = path(G, "Kim Jong Un", "Xi Jinping")
    >>> [(h["from_label"], h["to_label"], [e["date"] for e in h["events"]]) for h in hops]
    [('Kim Jong Un', 'Vladimir Putin', ['2023-09-13']), ('Vladimir Putin', 'Xi Jinping', ['2023-03-20', '2023-03-21'])]
    """
    source, target = find_actor(G, a), find_actor(G, b)
    if source == target:
        return []
    keep = _event_filter(G, families, since, until)
    # breadth-first search over actors, stepping through shared events (the projection,
    # walked on the fly); neighbours are visited in sorted order so the answer is stable
    parent = {source: None}
    queue = deque([source])
    while queue and target not in parent:
        x = queue.popleft()
        step = set()
        for e in G.predecessors(x):
            if keep(e):
                step.update(G.successors(e))
        for y in sorted(step):
            if y not in parent:
                parent[y] = x
                queue.append(y)
    if target not in parent:
        raise GraphError(f"no chain of events links {G.nodes[source].get('label')!r} "
                         f"and {G.nodes[target].get('label')!r}")
    chain = [target]
    while parent[chain[-1]] is not None:
        chain.append(parent[chain[-1]])
    chain.reverse()
    hops = []
    for x, y in zip(chain, chain[1:]):
        evs = sorted((set(G.predecessors(x)) & set(G.predecessors(y))),
                     key=lambda e: _time_key(G, e))
        hops.append({"from": x, "to": y, "from_label": G.nodes[x].get("label"),
                     "to_label": G.nodes[y].get("label"),
                     "events": [_event_summary(G, e) for e in evs if keep(e)]})
    return hops


def timeline(G, actor, *, since=None, until=None, families=None) -> list[dict]:
    """List the events of ``actor`` in time order, undated events last.

    Each row has ``id``, ``label``, ``type``, ``codes``, ``family``, ``date`` (a day, an ISO
    interval ``earliest/latest`` or None), ``earliest``, ``latest``, ``status``, ``roles`` (of
    the actor), ``counterparts`` (dicts of id, label, role), ``places`` and ``sources``.

    Examples
    --------
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> [(r["label"], r["date"]) for r in timeline(G, "China")]
    [('Russia praises China', '2023-03'), ('Vladimir Putin plans to visit China', '2023-04-03/2023-04-09'), ('Kim Yo Jong criticizes China', None)]
    """
    a = find_actor(G, actor)
    keep = _event_filter(G, families, since, until)
    rows = []
    for e in sorted((e for e in _events_of(G, a) if keep(e)), key=lambda e: _time_key(G, e)):
        attrs = G.nodes[e]
        counterparts = sorted(
            ({"id": b, "label": G.nodes[b].get("label"), "role": role}
             for _, b, role in G.out_edges(e, keys=True) if b != a),
            key=lambda c: (c["label"] or "", c["id"], c["role"]))
        rows.append({
            "id": e, "label": attrs.get("label"), "type": attrs.get("type_label"),
            "codes": list(attrs.get("codes", ())), "family": attrs.get("family"),
            "date": _when(attrs), "earliest": attrs.get("earliest"),
            "latest": attrs.get("latest"), "status": attrs.get("status"),
            "roles": sorted(G.get_edge_data(e, a, default={})),
            "counterparts": counterparts, "places": list(attrs.get("places", ())),
            "sources": list(attrs.get("sources", ())),
        })
    return rows


#: The most counterparts a timeline plot gives a row of their own; the rest share one.
PLOT_MAX_ROWS = 30
_MARKERS = "os^Dv<>pP*Xhd"


def plot_timeline(G, actor, path, *, rows=None) -> dict:
    """Draw an actor's events on a time axis to a PNG or SVG file (by the file's suffix).

    One row per counterpart (the most frequent :data:`PLOT_MAX_ROWS`; the others share a row,
    events without one sit on "(no counterpart)"); colour and marker by event family, with
    the view's colours (``kg/data/view/style.json``); hollow markers for planned events; a
    line for an event known only to a range of days. Undated events are drawn in a strip on
    the right. ``rows`` are the rows of :func:`timeline` (computed when not given, so the
    plot can follow the same filters). Returns ``{"path", "events", "dated", "undated",
    "counterparts"}``. Uses matplotlib's Agg canvas (no display, no global pyplot state).

    Examples
    --------
    >>> import os, tempfile
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     info = plot_timeline(G, "Vladimir Putin", os.path.join(tmp, "putin.svg"))
    >>> info["events"], info["undated"], info["counterparts"]
    (5, 0, 4)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise GraphError(f"cannot draw to {str(target)!r}; expected a file ending in .png or .svg")
    a = find_actor(G, actor)
    if rows is None:
        rows = timeline(G, a)
    style = json.loads((Path(__file__).parent / "data" / "view" / "style.json")
                       .read_text(encoding="utf-8"))["families"]

    # rows of the plot: counterparts, most events first
    count = Counter(c["label"] or c["id"] for r in rows for c in r["counterparts"])
    names = [n for n, _ in sorted(count.items(), key=lambda t: (-t[1], t[0]))]
    shown = names[:PLOT_MAX_ROWS]
    others = f"({len(names) - len(shown)} others)" if len(names) > len(shown) else None
    lanes = shown + ([others] if others else [])
    if any(not r["counterparts"] for r in rows):
        lanes.append("(no counterpart)")
    y_of = {name: i for i, name in enumerate(lanes)}

    def lanes_of(row):
        if not row["counterparts"]:
            return ["(no counterpart)"]
        found = {c["label"] or c["id"] for c in row["counterparts"]}
        return sorted({n if n in shown else others for n in found}, key=y_of.get)

    families = sorted({r["family"] or OTHER_FAMILY for r in rows},
                      key=lambda f: list(style).index(f) if f in style else len(style))
    look = {f: (style.get(f, style["other"])["color"], _MARKERS[i % len(_MARKERS)])
            for i, f in enumerate(families)}

    height = 1.6 + 0.32 * max(len(lanes), 3)
    fig = Figure(figsize=(11, height), dpi=100)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(1, 2, width_ratios=(6, 1), wspace=0.04)
    ax, strip = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    dated = undated = 0
    for row in rows:
        colour, marker = look[row["family"] or OTHER_FAMILY]
        face = "white" if row["status"] == "planned" else colour
        start, end = _span({"date": row.get("date") if row.get("date") and "/" not in row["date"]
                            else None, "earliest": row.get("earliest"), "latest": row.get("latest")})
        for name in lanes_of(row):
            y = y_of[name]
            if start is None:
                jitter = ((undated * 37) % 11 - 5) / 20
                strip.scatter([jitter], [y], c=[face], edgecolors=[colour], marker=marker, s=55,
                              linewidths=1.4, zorder=3)
                continue
            x0 = date2num(datetime.date.fromisoformat(start))
            x1 = date2num(datetime.date.fromisoformat(end))
            if x1 > x0:
                ax.plot([x0, x1], [y, y], color=colour, linewidth=3, alpha=0.5,
                        solid_capstyle="butt", zorder=2)
            ax.scatter([(x0 + x1) / 2], [y], c=[face], edgecolors=[colour], marker=marker, s=55,
                       linewidths=1.4, zorder=3)
        if start is None:
            undated += 1
        else:
            dated += 1

    label = G.nodes[a].get("label") or a
    ax.set_title(f"{label}: {len(rows)} event{'s' if len(rows) != 1 else ''} "
                 f"({dated} dated, {undated} undated)", loc="left", fontsize=11)
    for axis in (ax, strip):
        axis.set_ylim(len(lanes) - 0.5 if lanes else 0.5, -0.5)
        axis.grid(True, axis="y", color="#eeeeee", zorder=0)
    ax.set_yticks(range(len(lanes)), lanes, fontsize=9)
    strip.set_yticks(range(len(lanes)), [""] * len(lanes))
    strip.set_xlim(-0.6, 0.6)
    strip.set_xticks([0], ["undated"])
    strip.tick_params(axis="y", length=0)
    if dated:
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.margins(x=0.05)
    else:
        ax.set_xticks([])
        ax.text(0.5, 0.5, "no dated events" if rows else "no events", transform=ax.transAxes,
                ha="center", va="center", color="#777777")
    handles = [Line2D([], [], linestyle="", marker=look[f][1], markersize=7, color=look[f][0],
                      label=style.get(f, style["other"])["legend"]) for f in families]
    if any(r["status"] == "planned" for r in rows):
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=7, color="#555555",
                              markerfacecolor="white", label="planned (hollow)"))
    if handles:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=4,
                   fontsize=8, frameon=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, format=fmt, bbox_inches="tight")
    return {"path": str(target), "events": len(rows), "dated": dated, "undated": undated,
            "counterparts": len(names)}


def central(G, *, by: str = "degree", top: int | None = 10) -> list[dict]:
    """Rank actors by centrality in the actor projection.

    ``by`` is "degree" (distinct counterparts), "weighted" (shared events, summed over
    counterparts), "betweenness" (sampled on 500 sources above 1,000 actors, fixed seed) or
    "pagerank" (weighted by shared events). Rows: ``actor``, ``label``, ``score``,
    ``degree``, ``events``; ``top=None`` returns every actor.

    Examples
    --------
    >>> G = to_networkx(load("tests/data/graph-small.ttl"))
    >>> [(r["label"], r["score"]) for r in central(G, top=2)]
    [('Vladimir Putin', 4), ('China', 3)]
    """
    if by not in _CENTRALITIES:
        raise GraphError(f"unknown centrality {by!r}; expected one of: {', '.join(_CENTRALITIES)}")
    if top is not None and (not isinstance(top, int) or top < 1):
        raise GraphError(f"bad top {top!r}; expected a positive whole number or None")
    P = actor_projection(G)
    if by == "degree":
        scores = dict(P.degree())
    elif by == "weighted":
        scores = dict(P.degree(weight="weight"))
    elif by == "betweenness":
        k = 500 if len(P) > 1000 else None
        scores = {n: round(v, 6) for n, v in
                  nx.betweenness_centrality(P, k=k, seed=0 if k else None).items()}
    else:
        scores = {n: round(v, 6) for n, v in _pagerank(P).items()}
    rows = [{"actor": n, "label": P.nodes[n].get("label"), "score": scores[n],
             "degree": P.degree(n), "events": len(set(G.predecessors(n)))} for n in P]
    rows.sort(key=lambda r: (-r["score"], r["label"] or "", r["actor"]))
    return rows if top is None else rows[:top]


def _pagerank(P: nx.Graph, alpha: float = 0.85, tol: float = 1.0e-10,
              max_iter: int = 200) -> dict:
    """Weighted PageRank by power iteration (networkx's own needs SciPy)."""
    nodes = sorted(P)
    if not nodes:
        return {}
    n = len(nodes)
    strength = {u: P.degree(u, weight="weight") for u in nodes}
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(rank[u] for u in nodes if not strength[u]) / n
        new = dict.fromkeys(nodes, (1.0 - alpha) / n + dangling)
        for u in nodes:
            if strength[u]:
                share = alpha * rank[u] / strength[u]
                for v, d in P[u].items():
                    new[v] += share * d.get("weight", 1)
        done = sum(abs(new[u] - rank[u]) for u in nodes) < n * tol
        rank = new
        if done:
            break
    return rank
