"""factory_boy factories for the domain."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from governance.models import Body, BodyKind, Membership, Partnership, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Children's Trust {n}")
    slug = factory.Sequence(lambda n: f"trust-{n}")
    area = "York"


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Board {n}")
    slug = factory.Sequence(lambda n: f"board-{n}")
    kind = BodyKind.PARTNERSHIP_BOARD
    quorum = 3


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    body = factory.SubFactory(BodyFactory)
    role = Role.MEMBER
    starts_on = datetime.date(2000, 1, 1)


def valid_content(**overrides: object) -> dict[str, object]:
    """Small but complete plan content, in the documented schema."""
    content: dict[str, object] = {
        "vision": "In York we recognise that our children are our future.",
        "outcomes": [
            {
                "key": "healthy",
                "title": "Being healthy",
                "priorities": [
                    {"key": "active", "title": "All children are active and eat healthily"}
                ],
            },
            {"key": "safe", "title": "Staying safe", "priorities": []},
        ],
        "indicators": [
            {
                "key": "obesity-reception",
                "title": "Obesity in reception year",
                "outcome": "healthy",
                "unit": "%",
                "baseline": 9.8,
                "latest": 8.9,
                "target": 8.0,
                "direction_of_good": "lower",
            }
        ],
        "actions": [
            {
                "title": "Extend healthy schools programme",
                "kind": "immediate_priority",
                "outcome": "healthy",
                "priority": "active",
                "lead": "Head of Public Health",
                "delivery_group": "Healthy Lifestyles task and finish group",
                "due_date": "2010-03-31",
            }
        ],
        "cross_cutting_themes": [{"title": "Narrowing the gap"}],
        "joint_priorities": [],
    }
    content.update(overrides)
    return content
