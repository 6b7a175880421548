def test_health_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any query raise, so a 200 here proves the view does no I/O.
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
