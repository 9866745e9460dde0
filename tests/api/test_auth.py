"""Key authentication and the read/write permissions, through a real DRF view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from atrack.api.auth import CanRead, CanWrite, ProjectKeyAuthentication, key_info
from projects import keys
from projects.models import ApiKey
from projects.selectors import key_cache
from projects.services import CreatedProject, key_revoke, key_rotate

pytestmark = pytest.mark.django_db
factory = APIRequestFactory()


class WriteView(APIView):
    authentication_classes = [ProjectKeyAuthentication]
    permission_classes = [CanWrite]

    def post(self, request: Request) -> Response:
        info = key_info(request)
        return Response({"project": info.project.slug, "kind": info.kind})


class ReadView(WriteView):
    permission_classes = [CanRead]


def call(view: type[APIView], **headers: Any) -> Response:
    request = factory.post("/x", {}, format="json", **headers)
    response: Response = view.as_view()(request)
    return response


def error_code(response: Response) -> str:
    return str(response.data["error"]["code"])


def test_no_key_is_401(project: CreatedProject) -> None:
    response = call(WriteView)
    assert response.status_code == 401
    assert error_code(response) == "missing_key"
    assert response.data["success"] is False


@pytest.mark.parametrize("raw", ["garbage", keys.generate(keys.PUBLIC).raw])
def test_an_unknown_key_is_401(project: CreatedProject, raw: str) -> None:
    response = call(WriteView, HTTP_X_A_TRACK_KEY=raw)
    assert response.status_code == 401
    assert error_code(response) == "invalid_key"


def test_a_public_key_writes_for_its_project(project: CreatedProject) -> None:
    response = call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 200
    assert response.data == {"project": project.project.slug, "kind": "public"}


def test_a_secret_key_is_accepted_as_bearer(project: CreatedProject) -> None:
    response = call(ReadView, HTTP_AUTHORIZATION=f"Bearer {project.secret_key}")
    assert response.status_code == 200
    assert response.data["kind"] == "secret"


def test_a_public_key_is_refused_as_bearer(project: CreatedProject) -> None:
    response = call(WriteView, HTTP_AUTHORIZATION=f"Bearer {project.public_key}")
    assert response.status_code == 401


def test_a_public_key_is_refused_by_the_read_permission(project: CreatedProject) -> None:
    response = call(ReadView, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 403
    assert error_code(response) == "read_not_allowed"


def test_a_public_key_reads_when_the_project_allows_public_reads(project: CreatedProject) -> None:
    project.project.public_reads = True
    project.project.save()
    response = call(ReadView, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 200


def test_a_revoked_key_is_403(project: CreatedProject) -> None:
    assert call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key).status_code == 200
    key_revoke(prefix=keys.prefix_of(project.public_key))
    response = call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 403
    assert error_code(response) == "revoked_key"


def test_a_rotated_key_works_within_its_grace_period_and_401_after(project: CreatedProject) -> None:
    _, new_raw = key_rotate(project=project.project, kind=keys.SECRET, grace=timedelta(hours=1))
    old = project.secret_key
    assert call(ReadView, HTTP_X_A_TRACK_KEY=old).status_code == 200
    assert call(ReadView, HTTP_X_A_TRACK_KEY=new_raw).status_code == 200
    ApiKey.objects.filter(prefix=keys.prefix_of(old)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    key_cache.clear()
    response = call(ReadView, HTTP_X_A_TRACK_KEY=old)
    assert response.status_code == 401
    assert error_code(response) == "expired_key"
    assert call(ReadView, HTTP_X_A_TRACK_KEY=new_raw).status_code == 200


def test_rotation_leaves_the_other_kind_alone(project: CreatedProject) -> None:
    key_rotate(project=project.project, kind=keys.SECRET, grace=timedelta(0))
    assert call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key).status_code == 200
    assert call(ReadView, HTTP_X_A_TRACK_KEY=project.secret_key).status_code == 401


def test_a_cached_key_costs_no_query(
    project: CreatedProject, django_assert_num_queries: Any
) -> None:
    call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key)
    with django_assert_num_queries(0):
        assert call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key).status_code == 200


def test_a_revocation_in_another_process_takes_effect_after_the_cache_time(
    project: CreatedProject, settings: Any
) -> None:
    settings.API_KEY_CACHE_SECONDS = 0.0
    assert call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key).status_code == 200
    # An UPDATE as another process would make it: this process's cache is not cleared.
    ApiKey.objects.filter(prefix=keys.prefix_of(project.public_key)).update(
        revoked_at=timezone.now()
    )
    assert call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key).status_code == 403


def test_last_used_at_is_recorded(project: CreatedProject) -> None:
    call(WriteView, HTTP_X_A_TRACK_KEY=project.public_key)
    api_key = ApiKey.objects.get(prefix=keys.prefix_of(project.public_key))
    assert api_key.last_used_at is not None


def test_a_public_key_may_ride_in_the_query_string_for_beacons(project: CreatedProject) -> None:
    request = factory.post(f"/x?key={project.public_key}", {}, format="json")
    assert WriteView.as_view()(request).status_code == 200


def test_a_secret_key_in_the_query_string_is_refused(project: CreatedProject) -> None:
    request = factory.post(f"/x?key={project.secret_key}", {}, format="json")
    response = ReadView.as_view()(request)
    assert response.status_code == 401
    assert "URL" in response.data["error"]["message"]
