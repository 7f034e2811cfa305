"""Build the RDF graph from extractions: the fourth stage of the pipeline.

One named graph per article (its events, memberships, mentions and the actors it names), plus a
graph of the event types used. IRIs are deterministic: the same input gives the same IRIs.
Every export asserts the standard profile of ``CONTRACT.md`` (SEM, schema.org, ORG, PROV, SKOS)
and the project's own terms (``kgo:``); see ``ontology/MODEL.md``.

Examples
--------
>>> from kg.model import Article, Extraction
>>> from kg.rdf import build_dataset
>>> ds = build_dataset([Extraction(Article(id="a1", text="Nothing happened."))])
>>> len(list(ds.graphs())) >= 2
True
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from .model import Event, Extraction, Membership
from .namespace import CAMEO, KGO, KGR, NIF, ORG, PREFIXES, PROV, SCHEMA, SEM
from .resolve import ActorTable, EventCluster, event_key, published_not_before, resolve, resolve_events

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
TYPES_GRAPH = KGR["graph/event-types"]
ROLE = {"agent": KGO.Agent, "patient": KGO.Patient, "host": KGO.Host, "guest": KGO.Guest,
        "inviter": KGO.Inviter, "invitee": KGO.Invitee, "speaker": KGO.Speaker, "source": KGO.Source,
        "target": KGO.Target, "mediator": KGO.Mediator, "participant": KGO.Participant}
TYPE_CLASS = {"Person": SCHEMA.Person, "Country": SCHEMA.Country, "Organization": SCHEMA.Organization}


def ontology_dir() -> Path:
    """Where ``ontology/`` lives (next to the package in a checkout or editable install)."""
    for cand in (ONTOLOGY, Path(__file__).resolve().parent / "ontology"):
        if (cand / "kg.ttl").exists():
            return cand
    return ONTOLOGY


@lru_cache(maxsize=1)
def event_types() -> Graph:
    """The CAMEO/PLOVER concept scheme (``ontology/event-types.ttl``)."""
    g = Graph()
    g.parse(ontology_dir() / "event-types.ttl", format="turtle")
    return g


def _h(*parts: object, n: int = 16) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:n]


def actor_iri(key: str) -> URIRef:
    return KGR[f"actor/{key}"]


def place_iri(key: str, table: ActorTable) -> URIRef:
    return actor_iri(table.canonical(key)) if table.canonical(key) in table.actors else KGR[f"place/{key}"]


def article_iri(article_id: str) -> URIRef:
    return KGR[f"article/{_safe(article_id)}"]


def _safe(s: str) -> str:
    import re
    return re.sub(r"[^A-Za-z0-9._~-]", lambda m: "%%%02X" % ord(m.group(0)) if ord(m.group(0)) < 128 else "-", s)


def _date_literal(value: str) -> Literal:
    dtype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(value), XSD.string)
    return Literal(value, datatype=dtype)


def event_iri(key: str) -> URIRef:
    """The IRI of an event cluster (see :func:`kg.resolve.resolve_events`)."""
    return KGR[f"event/{key}"]


def _label(e: Event, table: ActorTable, type_label: str) -> str:
    def names(keys):
        return " and ".join(table.actors[table.canonical(k)].name for k in keys if table.canonical(k) in table.actors)
    first = [p.key for p in e.participants if p.role in ("agent", "speaker", "guest", "inviter", "mediator", "participant")]
    rest = [p.key for p in e.participants if p.key not in first]
    label = f"{names(first) or names(rest)}: {type_label.lower()}"
    if first and rest:
        label += f" ({names(rest)})"
    return label


def _add_article(g: Graph, x: Extraction) -> URIRef:
    a = x.article
    doc = article_iri(a.id)
    g.add((doc, RDF.type, SCHEMA.NewsArticle))
    g.add((doc, RDF.type, PROV.Entity))
    g.add((doc, SCHEMA.identifier, Literal(a.id)))
    if a.title:
        g.add((doc, SCHEMA.headline, Literal(a.title)))
    if a.published:
        g.add((doc, SCHEMA.datePublished, Literal(a.published.isoformat(), datatype=XSD.date)))
        if a.published_inferred:
            g.add((doc, KGO.publishedInferred, Literal(True)))
    else:
        bound = published_not_before(x)
        if bound is not None:
            g.add((doc, KGO.publishedNotBefore, Literal(bound.isoformat(), datatype=XSD.date)))
    if a.url:
        g.add((doc, SCHEMA.url, Literal(a.url, datatype=XSD.anyURI)))
    if a.source:
        g.add((doc, SCHEMA.publisher, Literal(a.source)))
    return doc


def _add_actor(g: Graph, key: str, table: ActorTable) -> URIRef:
    node = actor_iri(key)
    # an actor is named in many articles and events: its triples are made once per table
    triples = table.rdf_cache.get(key)
    if triples is None:
        triples = table.rdf_cache[key] = _actor_triples(node, table.actors[key])
    for t in triples:
        g.add(t)
    return node


def _actor_triples(node: URIRef, a) -> list:
    out = [(node, RDF.type, SEM.Actor), (node, RDF.type, KGO.Actor), (node, RDF.type, TYPE_CLASS[a.type])]
    if a.type == "Country":
        out.append((node, RDF.type, SEM.Place))
    out.append((node, RDFS.label, Literal(a.name)))
    out += [(node, SKOS.altLabel, Literal(alias)) for alias in sorted(a.aliases)]
    out += [(node, KGO.nameKey, Literal(k)) for k in name_keys([a.name, *a.aliases])]
    if a.wikidata:
        out.append((node, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/{a.wikidata}")))
    if a.iso:
        out.append((node, KGO.isoCode, Literal(a.iso)))
    return out


def name_keys(names) -> list[str]:
    """The ``kgo:nameKey`` values of an actor called ``names`` (its label and aliases).

    Each is a name lower-cased as SPARQL's ``LCASE`` does (Unicode full case mapping), so the
    named queries find an actor by ``?actor kgo:nameKey ?key`` with
    ``?key = LCASE(STR(?name))``: one index lookup instead of comparing every label.

    >>> name_keys(["Xi Jinping", "Xi", "XI JINPING"])
    ['xi', 'xi jinping']
    """
    return sorted({str(n).lower() for n in names})


def _add_place(g: Graph, key: str, table: ActorTable) -> URIRef:
    node = place_iri(key, table)
    if table.canonical(key) in table.actors:
        _add_actor(g, table.canonical(key), table)
        return node
    p = table.places[key]
    g.add((node, RDF.type, SEM.Place))
    if p.type == "City":
        g.add((node, RDF.type, SCHEMA.City))
    g.add((node, RDFS.label, Literal(p.name)))
    for alias in sorted(p.aliases - {p.name}):
        g.add((node, SKOS.altLabel, Literal(alias)))
    if p.country and p.country in table.actors:
        g.add((node, SCHEMA.containedInPlace, _add_actor(g, p.country, table)))
    return node


@lru_cache(maxsize=None)
def _type_triples(code: str) -> tuple:
    """The concept of a CAMEO code and its broader chain, as triples (an unknown code: a stub)."""
    types = event_types()
    node = CAMEO[code]
    out = []
    cur = node
    while cur is not None:
        out += [(cur, p, o) for p, o in types.predicate_objects(cur)]
        cur = types.value(cur, SKOS.broader)
    if (node, SKOS.notation, None) not in types:   # unknown code: still a valid concept
        out += [(node, RDF.type, SKOS.Concept), (node, SKOS.notation, Literal(code)),
                (node, SKOS.prefLabel, Literal(f"CAMEO {code}", lang="en"))]
    return tuple(out)


def _add_type(g: Graph, code: str) -> URIRef:
    """Copy the concept of a CAMEO code and its broader chain into ``g``."""
    for t in _type_triples(code):
        g.add(t)
    return CAMEO[code]


def _type_label(code: str) -> str:
    lab = event_types().value(CAMEO[code], SKOS.prefLabel)
    return str(lab) if lab is not None else f"CAMEO {code}"


def _add_event(g: Graph, tg: Graph, c: EventCluster, table: ActorTable, doc: URIRef, article_id: str,
               iris: dict[tuple[str, int], URIRef]) -> None:
    """Add a real event to one article's graph: its core triples and this article's mentions.

    Every article graph of a merged event holds the same core (types, label, roles, time, place,
    status, confidence, source count) plus its own ``prov:wasDerivedFrom`` and mentions.
    """
    ev = event_iri(c.key)
    e = c.event
    g.add((ev, RDF.type, SEM.Event))
    g.add((ev, RDF.type, KGO.Event))
    g.add((ev, SEM.eventType, _add_type(tg, e.code)))
    g.add((ev, RDFS.label, Literal(_label(e, table, _type_label(e.code)))))
    seen: set[str] = set()
    for p in e.participants:
        key = table.canonical(p.key)
        if key not in table.actors or key in seen:
            continue        # two names of one actor ("Xi Jinping met Xi"): one role node, the first role
        seen.add(key)
        role = URIRef(f"{ev}/role/{key}")
        g.add((ev, SEM.hasActor, role))
        g.add((role, RDF.type, SEM.Role))
        g.add((role, RDF.value, _add_actor(g, key, table)))
        g.add((role, SEM.roleType, ROLE.get(p.role, KGO.Participant)))
    if e.place and (e.place in table.places or table.canonical(e.place) in table.actors):
        g.add((ev, SEM.hasPlace, _add_place(g, e.place, table)))
    if e.time is not None:
        if e.time.value and len(e.time.value) in (4, 7, 10) and e.time.value[:4].isdigit():
            g.add((ev, SEM.hasTimeStamp, _date_literal(e.time.value)))
        elif e.time.earliest and e.time.latest:
            g.add((ev, SEM.hasEarliestBeginTimeStamp, Literal(e.time.earliest, datatype=XSD.date)))
            g.add((ev, SEM.hasLatestEndTimeStamp, Literal(e.time.latest, datatype=XSD.date)))
        g.add((ev, KGO.timeText, Literal(e.time.text)))
    if e.status == "planned":
        g.add((ev, KGO.status, KGO.Planned))
        g.add((ev, SCHEMA.eventStatus, SCHEMA.EventScheduled))
    else:
        g.add((ev, KGO.status, KGO.Occurred))
    g.add((ev, KGO.confidence, Literal(f"{e.confidence:.2f}", datatype=XSD.decimal)))
    g.add((ev, KGO.sourceCount, Literal(len(c.articles), datatype=XSD.nonNegativeInteger)))
    g.add((ev, PROV.wasDerivedFrom, doc))
    for planned in c.fulfils:
        g.add((ev, KGO.fulfils, event_iri(planned)))
    for mention in c.mentions:
        if mention.article.id != article_id:
            continue
        me = mention.event
        if me.proposes is not None and (article_id, me.proposes) in iris:
            g.add((ev, KGO.proposes, iris[(article_id, me.proposes)]))
        spans = [(me.start, me.end, me.sentence)] + list(me.extra_mentions)
        for n, (s, end, sentence) in enumerate(spans):
            m = URIRef(f"{ev}/mention/{_safe(article_id)}-{s}")
            g.add((ev, KGO.mention, m))
            g.add((m, RDF.type, KGO.Mention))
            g.add((m, RDF.type, NIF.String))
            g.add((m, NIF.referenceContext, doc))
            g.add((m, NIF.anchorOf, Literal(sentence)))
            g.add((m, NIF.beginIndex, Literal(s, datatype=XSD.nonNegativeInteger)))
            g.add((m, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
            if n == 0:
                g.add((m, KGO.trigger, Literal(me.trigger)))
            g.add((m, KGO.confidence, Literal(f"{me.confidence:.2f}", datatype=XSD.decimal)))


def _add_membership(g: Graph, x: Extraction, m: Membership, table: ActorTable, doc: URIRef) -> None:
    person, org = table.canonical(m.person), table.canonical(m.organization)
    if person not in table.actors or org not in table.actors or table.actors[person].type != "Person" \
            or table.actors[org].type not in ("Country", "Organization"):
        return
    node = KGR[f"membership/{_h(person, m.title.lower(), org)}"]
    role = KGR[f"role/{_safe(m.title.lower().replace(' ', '-'))}"]
    g.add((node, RDF.type, ORG.Membership))
    g.add((node, ORG.member, _add_actor(g, person, table)))
    g.add((node, ORG.organization, _add_actor(g, org, table)))
    g.add((node, ORG.role, role))
    g.add((role, RDF.type, ORG.Role))
    g.add((role, RDF.type, SKOS.Concept))
    g.add((role, RDFS.label, Literal(m.title)))
    if x.article.published:
        g.add((node, KGO.observedOn, Literal(x.article.published.isoformat(), datatype=XSD.date)))
    g.add((node, PROV.wasDerivedFrom, doc))
    g.add((node, KGO.confidence, Literal(f"{m.confidence:.2f}", datatype=XSD.decimal)))
    mention = URIRef(f"{node}/mention/{_safe(x.article.id)}-{m.start}")
    g.add((node, KGO.mention, mention))
    g.add((mention, RDF.type, KGO.Mention))
    g.add((mention, RDF.type, NIF.String))
    g.add((mention, NIF.referenceContext, doc))
    g.add((mention, NIF.anchorOf, Literal(m.sentence)))
    g.add((mention, NIF.beginIndex, Literal(m.start, datatype=XSD.nonNegativeInteger)))
    g.add((mention, NIF.endIndex, Literal(m.end, datatype=XSD.nonNegativeInteger)))


def _event_iris(clusters: list[EventCluster]) -> dict[tuple[str, int], URIRef]:
    return {(m.article.id, m.index): event_iri(c.key) for c in clusters for m in c.mentions}


def article_graph(g: Graph, types: Graph, x: Extraction, table: ActorTable, *, min_confidence: float = 0.0,
                  clusters: list[EventCluster] | None = None,
                  iris: dict[tuple[str, int], URIRef] | None = None) -> None:
    """Add everything one article says to ``g`` (event types go to ``types``): rdflib Graphs or
    sets of triples.

    ``clusters`` are the corpus-wide events this article reports (default: its own events alone).
    """
    doc = _add_article(g, x)
    for key in sorted({table.canonical(k) for k in x.actors}):
        if key in table.actors:
            _add_actor(g, key, table)
    if clusters is None:
        clusters = resolve_events([x], table, min_confidence=min_confidence)
        iris = _event_iris(clusters)
    for c in clusters:
        _add_event(g, types, c, table, doc, x.article.id, iris or {})
    for m in x.memberships:
        if m.confidence >= min_confidence:
            _add_membership(g, x, m, table, doc)


def build_quads(extractions: list[Extraction], *, min_confidence: float = 0.0,
                table: ActorTable | None = None) -> dict[URIRef, set]:
    """The triples of each named graph (a set each): one graph per article plus the event types used.

    Named graphs are ``kgr:graph/<article id>``; their union is the whole knowledge graph.
    :func:`build_dataset` gives the same as an rdflib :class:`~rdflib.Dataset`.
    """
    extractions = sorted(extractions, key=lambda x: x.article.id)
    if table is None:
        table, _ = resolve(extractions)
    quads: dict[URIRef, set] = {TYPES_GRAPH: set()}    # sets: rdflib's store costs 10x more a triple
    types = quads[TYPES_GRAPH]
    clusters = resolve_events(extractions, table, min_confidence=min_confidence)
    iris = _event_iris(clusters)
    per_article: dict[str, list[EventCluster]] = {}
    for c in clusters:
        for doc in c.articles:
            per_article.setdefault(doc, []).append(c)
    for x in extractions:
        g = quads.setdefault(KGR[f"graph/{_safe(x.article.id)}"], set())
        article_graph(g, types, x, table, min_confidence=min_confidence,
                      clusters=per_article.get(x.article.id, []), iris=iris)
    return quads


def to_dataset(quads: dict[URIRef, set]) -> Dataset:
    """An rdflib Dataset of named graphs, with our prefixes bound."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    for name in sorted(quads):
        g = ds.graph(name)
        g.addN((s, p, o, g) for s, p, o in quads[name])
    return ds


def to_graph(triples) -> Graph:
    """An rdflib Graph of triples, with our prefixes bound."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.addN((s, p, o, g) for s, p, o in triples)
    return g


def union_triples(quads: dict[URIRef, set]) -> set:
    """Every triple of every named graph, once."""
    return set().union(*quads.values())


def build_dataset(extractions: list[Extraction], *, min_confidence: float = 0.0,
                  table: ActorTable | None = None) -> Dataset:
    """A Dataset with one named graph per article plus the event types used (:func:`build_quads`)."""
    return to_dataset(build_quads(extractions, min_confidence=min_confidence, table=table))


def union(ds: Dataset) -> Graph:
    """The union of a dataset's named graphs as one graph, with our prefixes bound."""
    return to_graph({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})


__all__ = ["build_dataset", "build_quads", "to_dataset", "to_graph", "union_triples", "union",
           "article_graph", "event_types", "actor_iri", "article_iri", "event_iri", "event_key", "ontology_dir"]
