"""Profile pictures: uploaded, cropped to a small square, stripped of metadata, shown
wherever the person appears; anything else is refused with a message on the form."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from socialearn.people.models import ProfilePhoto
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _jpeg_with_exif(width=1200, height=800) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0132] = "2026:01:02 03:04:05"  # DateTime
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return out.getvalue()


def _edit(client, user, **files):
    data = {
        "display_name": user.profile.display_name,
        "email_preference": "immediate",
        "digest_frequency": "none",
        **files,
    }
    return client.post(reverse("people:profile_edit"), data)


def test_an_uploaded_picture_is_resized_and_its_exif_removed(client):
    user = UserFactory()
    original = _jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get(0x010F) == "PhoneMaker"  # the test file does carry EXIF
    client.force_login(user)
    response = _edit(client, user, photo=SimpleUploadedFile("me.jpg", original, "image/jpeg"))
    assert response.status_code == 302
    stored = bytes(ProfilePhoto.objects.get(profile=user.profile).image)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (256, 256)
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert "comment" not in image.info
        assert "icc_profile" not in image.info
    assert b"PhoneMaker" not in stored
    served = client.get(reverse("people:photo", args=[user.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served) == stored


def test_a_non_image_is_refused_with_a_message_and_nothing_changes(client):
    user = UserFactory()
    client.force_login(user)
    response = _edit(
        client,
        user,
        display_name="A new name",
        photo=SimpleUploadedFile("cv.jpg", b"%PDF-1.4 not a picture", "image/jpeg"),
    )
    assert response.status_code == 200
    assert "not a picture we can read" in response.content.decode()
    assert not ProfilePhoto.objects.filter(profile=user.profile).exists()
    user.profile.refresh_from_db()
    assert user.profile.photo_updated_at is None
    assert user.profile.display_name != "A new name"


def test_a_picture_over_5_mb_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10), "image/jpeg")
    response = _edit(client, user, photo=big)
    assert "larger than 5 MB" in response.content.decode()


def test_the_picture_shows_on_posts_but_never_on_anonymous_ones(client):
    from communities.models import Community, Thread
    from communities.services import thread_create
    from tests.communities.conftest import make_community

    author = UserFactory(profile__display_name="Pia Picture")
    reader = UserFactory()
    client.force_login(author)
    _edit(client, author, photo=SimpleUploadedFile("me.jpg", _jpeg_with_exif(), "image/jpeg"))
    community = make_community(
        UserFactory(),
        name="Open floor",
        members=[author, reader],
        anonymity=Community.Anonymity.ON,
    )
    named = thread_create(
        community=community,
        author=author,
        kind=Thread.Kind.DISCUSSION,
        title="Named post",
        body="Hello",
    )
    hidden = thread_create(
        community=community,
        author=author,
        kind=Thread.Kind.DISCUSSION,
        title="Hidden post",
        body="Psst",
        is_anonymous=True,
    )
    client.force_login(reader)
    photo_url = reverse("people:photo", args=[author.pk])
    profile_url = reverse("people:profile", args=[author.pk])
    page = client.get(named.get_absolute_url()).content.decode()
    assert photo_url in page
    assert f'href="{profile_url}"' in page
    page = client.get(hidden.get_absolute_url()).content.decode()
    assert photo_url not in page
    assert "Pia Picture" not in page
    assert f'href="{profile_url}"' not in page
    assert "avatar-anonymous" in page


def test_without_a_picture_initials_on_a_colour_fixed_by_the_person(client):
    from socialearn.people.templatetags.people_tags import avatar_for

    person = UserFactory(profile__display_name="Noor van Dijk")
    shown = avatar_for(person)
    assert shown["initials"] == "ND"
    assert shown["photo"] == ""
    assert avatar_for(person)["hue"] == shown["hue"]
    nameless = UserFactory(first_name="", last_name="", profile__display_name="")
    assert avatar_for(nameless)["name"] == "New member"
    assert "@" not in avatar_for(nameless)["name"]
