"""RDF namespaces of kg: closed namespaces for the terms we use, open ones for instance IRIs.

``KGO`` and ``SEM`` are closed (rdflib ``DefinedNamespace`` with ``_fail = True``): a
misspelt term raises ``AttributeError`` instead of minting a wrong IRI. ``KGO`` lists exactly
the terms of ``ontology/kg.ttl`` (a test checks it). ``KGR``, ``CAMEO`` and ``PLOVER`` are
open: their local names are instance ids and codes.

Examples
--------
>>> KGO.Guest
rdflib.term.URIRef('https://w3id.org/kg-news/ontology#Guest')
>>> CAMEO["042"]
rdflib.term.URIRef('https://w3id.org/kg-news/cameo/042')
>>> KGO.Gest
Traceback (most recent call last):
...
AttributeError: term 'Gest' not in namespace 'https://w3id.org/kg-news/ontology#'
>>> SPARQL_PREFIXES.splitlines()[0]
'PREFIX kgo: <https://w3id.org/kg-news/ontology#>'
"""

from __future__ import annotations

from rdflib.namespace import (
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    XSD,
    DefinedNamespace,
    Namespace,
)
from rdflib.term import URIRef

__all__ = [
    "KGO", "KGR", "CAMEO", "PLOVER", "SEM", "SCHEMA", "ORG", "PROV", "SKOS", "NIF",
    "OWL", "RDF", "RDFS", "XSD", "DCTERMS", "PREFIXES", "SPARQL_PREFIXES",
]


class KGO(DefinedNamespace):
    """The kg ontology (``ontology/kg.ttl``): classes, properties, role types, statuses."""

    _fail = True
    _NS = Namespace("https://w3id.org/kg-news/ontology#")

    # classes
    Actor: URIRef  # a person, country or organisation taking part in events
    Event: URIRef  # an event reported in the news (sem:Event, schema:Event)
    Mention: URIRef  # a text span reporting an event (nif:String, prov:Entity)
    EventStatus: URIRef  # class of Planned, Occurred, Ongoing
    EventPolarity: URIRef  # class of Positive, Negative

    # concept schemes
    CAMEOScheme: URIRef  # CAMEO event types
    PLOVERScheme: URIRef  # PLOVER event types

    # statuses and polarities
    Planned: URIRef
    Occurred: URIRef
    Ongoing: URIRef
    Positive: URIRef
    Negative: URIRef

    # role types (sem:RoleType)
    Agent: URIRef
    Patient: URIRef
    Host: URIRef
    Guest: URIRef
    Inviter: URIRef
    Invitee: URIRef
    Speaker: URIRef
    Source: URIRef
    Target: URIRef
    Mediator: URIRef
    Participant: URIRef

    # object properties
    mention: URIRef  # event or membership -> kgo:Mention
    status: URIRef  # event -> kgo:EventStatus
    polarity: URIRef  # event or mention -> kgo:EventPolarity
    proposes: URIRef  # invitation -> the planned event it proposes
    fulfils: URIRef  # event that happened -> the earlier planned event

    # datatype properties
    confidence: URIRef  # xsd:decimal in [0, 1]
    trigger: URIRef  # the words expressing the event
    timeText: URIRef  # the time expression as written
    family: URIRef  # coarse family of a CAMEO concept
    ploverMode: URIRef  # PLOVER mode of a CAMEO concept
    isoCode: URIRef  # ISO 3166-1 alpha-3 of a country
    nameKey: URIRef  # an actor name lower-cased (LCASE), for index lookups by name
    observedOn: URIRef  # date a membership was reported true
    startDate: URIRef  # membership start (gazetteer)
    endDate: URIRef  # membership end (gazetteer)
    sourceCount: URIRef  # number of articles reporting an event
    publishedInferred: URIRef  # an article's datePublished was read from its content
    publishedNotBefore: URIRef  # lower bound of an undated article's publication


class SEM(DefinedNamespace):
    """Simple Event Model (http://semanticweb.cs.vu.nl/2009/11/sem/), the terms kg uses."""

    _fail = True
    _NS = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")

    # classes
    Core: URIRef
    Event: URIRef
    Actor: URIRef
    Place: URIRef
    Time: URIRef
    Role: URIRef
    Type: URIRef
    EventType: URIRef
    ActorType: URIRef
    PlaceType: URIRef
    RoleType: URIRef

    # properties
    eventType: URIRef
    actorType: URIRef
    placeType: URIRef
    roleType: URIRef
    hasActor: URIRef
    hasPlace: URIRef
    hasTime: URIRef
    hasSubEvent: URIRef
    subEventOf: URIRef
    hasTimeStamp: URIRef
    hasBeginTimeStamp: URIRef
    hasEndTimeStamp: URIRef
    hasEarliestBeginTimeStamp: URIRef
    hasLatestBeginTimeStamp: URIRef
    hasEarliestEndTimeStamp: URIRef
    hasLatestEndTimeStamp: URIRef


class NIF(DefinedNamespace):
    """NIF 2.0 Core (http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#)."""

    _fail = True
    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

    # classes
    String: URIRef
    Context: URIRef
    OffsetBasedString: URIRef
    RFC5147String: URIRef
    Phrase: URIRef
    Sentence: URIRef
    Word: URIRef

    # properties
    referenceContext: URIRef
    anchorOf: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    isString: URIRef
    sourceUrl: URIRef
    sentence: URIRef


KGR = Namespace("https://w3id.org/kg-news/id/")
CAMEO = Namespace("https://w3id.org/kg-news/cameo/")
PLOVER = Namespace("https://w3id.org/kg-news/plover/")
SCHEMA = SDO  # rdflib's schema.org namespace, https://schema.org/
DCTERMS = Namespace("http://purl.org/dc/terms/")

PREFIXES: dict[str, Namespace] = {
    "kgo": Namespace(str(KGO)),
    "kgr": KGR,
    "cameo": CAMEO,
    "plover": PLOVER,
    "sem": Namespace(str(SEM)),
    "schema": Namespace(str(SCHEMA)),
    "org": Namespace(str(ORG)),
    "prov": Namespace(str(PROV)),
    "skos": Namespace(str(SKOS)),
    "nif": Namespace(str(NIF)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "dcterms": DCTERMS,
}
"""Prefix -> namespace, for ``graph.bind(prefix, namespace)``."""

SPARQL_PREFIXES: str = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
"""``PREFIX`` lines for every namespace of ``PREFIXES``, to put before a SPARQL query."""
