import pytest

pytestmark = pytest.mark.django_db


def test_public_search_needs_no_login_and_shows_no_members(client, tree):
    response = client.get("/public/", {"q": "甲镇"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲镇一村党支部" in body
    assert "乙镇" not in body
    assert "张三" not in body


def test_public_organization_page(client, tree):
    response = client.get(f"/public/orgs/{tree.branch_a1.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "一村第一党小组" in body  # its 党小组
    assert "甲镇党委" in body  # breadcrumb
    assert tree.member_a1.name not in body
    assert client.get("/public/orgs/NOPE/").status_code == 404


def test_everything_else_requires_login(client, tree):
    response = client.get(f"/orgs/{tree.branch_a1.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_public_text_is_escaped(client, tree):
    tree.branch_b1.name = "<script>alert(1)</script>"
    tree.branch_b1.save()
    body = client.get("/public/", {"q": "script"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
