"""The OpenAPI document is generated from the endpoints' own schemas."""

from __future__ import annotations


def test_the_document_describes_every_api_endpoint(app, client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    api_rules = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json"
    }
    paths = {p.replace("{", "<").replace("}", ">") for p in doc["paths"]}
    assert api_rules == paths
    create_site = doc["paths"]["/api/sites"]["post"]
    body = create_site["requestBody"]["content"]["application/json"]["schema"]
    schema = doc["components"]["schemas"][body["$ref"].split("/")[-1]]
    assert {"client_id", "name"} <= set(schema["required"])
    assert create_site["x-roles"] == ["dispatcher", "admin"]
    assert "ErrorEnvelope" in doc["components"]["schemas"]
