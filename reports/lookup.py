"""``GET /api/v1/lookup/places/?q=``: what a place search box suggests (``reports.places.places_matching``).

At most 20 regions and stations of the caller's scope, never a whole list: the box asks again as the user types.
Session-authenticated from the pages (``static/js/place_lookup.js``) and token-authenticated from the API alike.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from stations.models import Station

from .places import KINDS, LIMIT, MIN_LENGTH, places_matching


class PlaceQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        required=False,
        default="",
        allow_blank=True,
        trim_whitespace=True,
        help_text=_("Part of a name or the start of a division code; fewer than two characters find nothing."),
    )
    kind = serializers.ChoiceField(
        choices=KINDS, required=False, allow_blank=True, help_text=_("Only stations, or only regions.")
    )


class PlaceSerializer(serializers.Serializer):
    id = serializers.CharField(source="key", help_text=_("station:<id> or region:<id>"))
    kind = serializers.CharField()
    pk = serializers.IntegerField()
    name = serializers.CharField()
    where = serializers.CharField(help_text=_("What lies above it: a station's county and township."))
    level = serializers.CharField()
    level_label = serializers.CharField()


class PlaceListSerializer(serializers.Serializer):
    results = PlaceSerializer(many=True)
    min_length = serializers.IntegerField(help_text=_("How many characters a search needs."))


class PlaceLookupView(APIView):
    """Regions (province to township) and stations in the caller's scope whose name contains ``q`` or whose
    division code starts with it: at most 20, names starting with ``q`` first."""

    perm_model = Station  # whoever may see stations may look them up; which ones is the scope's business

    @extend_schema(parameters=[PlaceQuerySerializer], responses=PlaceListSerializer)
    def get(self, request):
        query = PlaceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        places = places_matching(
            user=request.user, text=query.validated_data["q"], kind=query.validated_data.get("kind", ""), limit=LIMIT
        )
        return Response({"results": PlaceSerializer(places, many=True).data, "min_length": MIN_LENGTH})
