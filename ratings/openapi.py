"""The OpenAPI 3.1 document of the service, served at /api/openapi.json.

Written by hand, kept true by tests/test_ratings_schema.py (schemathesis).
"""

from __future__ import annotations

import copy

from . import __version__

_error = {
    "description": "A one-line reason.",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
        "text/plain": {"schema": {"type": "string"}},
        "text/html": {"schema": {"type": "string"}},
    },
}


def _err(description: str, headers: dict | None = None) -> dict:
    out = dict(_error, description=description)
    if headers:
        out["headers"] = headers
    return out


_slug = {
    "name": "slug", "in": "path", "required": True,
    "description": "The article's slug, as listed in the build's manifest.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "example": "vi-du-bai-viet",
}
_score_body = {
    "type": "object",
    "required": ["score"],
    "example": {"score": 4},
    "additionalProperties": False,
    "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Đánh giá bài viết – ratings service",
        "version": __version__,
        "description": (
            "Ratings of the portal's articles, 1 to 5. One vote per voter, article and day; a second vote "
            "changes the score. POST is accepted only from the site's own origin (Origin or "
            "Sec-Fetch-Site) with a body of at most 1 KiB."),
    },
    "paths": {
        "/api/ratings": {
            "get": {
                "operationId": "listRatings",
                "summary": "All aggregates (used by the site build).",
                "responses": {
                    "200": {"description": "Aggregates by slug.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AllRatings"}}}},
                },
            },
        },
        "/api/ratings/{slug}": {
            "parameters": [_slug],
            "get": {
                "operationId": "getRating",
                "summary": "Count, average and histogram of one article.",
                "responses": {
                    "200": {"description": "The aggregate.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Aggregate"}}}},
                    "404": _err("No such article."),
                },
            },
            "post": {
                "operationId": "rate",
                "summary": "Rate the article 1 to 5.",
                "description": ("A form post (the no-JavaScript path) is answered 303 to the article's thank-you "
                                "anchor; a JSON post with the new aggregate."),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": _score_body},
                        "application/json": {"schema": _score_body},
                    },
                },
                "responses": {
                    "200": {"description": "Stored (JSON post): the new aggregate.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VoteResult"}}}},
                    "303": {"description": "Stored (form post): back to the article's thank-you anchor.",
                            "headers": {"Location": {"required": True, "schema": {"type": "string"}}}},
                    "400": _err("The score is missing or not 1 to 5, or the body is malformed."),
                    "403": _err("Not from the site's own origin."),
                    "404": _err("No such article."),
                    "413": _err("The body is larger than 1 KiB."),
                    "415": _err("Neither a form nor JSON."),
                    "429": _err("A cap was reached; try again after Retry-After seconds.",
                                {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}}}),
                    "503": _err("The database is busy; try again after Retry-After seconds.",
                                {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}}}),
                },
            },
        },
    },
    "components": {
        "schemas": {
            "Histogram": {
                "type": "object",
                "required": ["1", "2", "3", "4", "5"],
                "additionalProperties": False,
                "properties": {str(i): {"type": "integer", "minimum": 0} for i in range(1, 6)},
            },
            "Aggregate": {
                "type": "object",
                "required": ["slug", "count", "average", "histogram"],
                "additionalProperties": False,
                "properties": {
                    "slug": {"type": "string"},
                    "count": {"type": "integer", "minimum": 0},
                    "average": {"type": "number", "minimum": 0, "maximum": 5,
                                "description": "Rounded half up to one decimal; 0 when count is 0."},
                    "histogram": {"$ref": "#/components/schemas/Histogram"},
                },
            },
            "VoteResult": {
                "type": "object",
                "required": ["slug", "count", "average", "histogram", "score", "replaced"],
                "additionalProperties": False,
                "properties": {
                    "slug": {"type": "string"},
                    "count": {"type": "integer", "minimum": 1},
                    "average": {"type": "number", "minimum": 1, "maximum": 5},
                    "histogram": {"$ref": "#/components/schemas/Histogram"},
                    "score": {"type": "integer", "minimum": 1, "maximum": 5},
                    "replaced": {"type": "boolean",
                                 "description": "True when this changed the voter's earlier vote of today."},
                },
            },
            "AllRatings": {
                "type": "object",
                "required": ["ratings"],
                "properties": {"ratings": {"type": "object",
                                           "additionalProperties": {"$ref": "#/components/schemas/Aggregate"}}},
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}},
            },
        },
    },
}


def document_for(slugs: list[str]) -> dict:
    """The document with a slug of the current manifest as the example (so clients and
    fuzzers reach real articles)."""
    if not slugs:
        return DOCUMENT
    doc = copy.deepcopy(DOCUMENT)
    doc["paths"]["/api/ratings/{slug}"]["parameters"][0]["example"] = slugs[0]
    return doc
