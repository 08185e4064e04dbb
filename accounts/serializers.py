from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import User
from .scope import scope_of


class CleanModelSerializer(serializers.ModelSerializer):
    """Runs the model's own ``clean()`` on the incoming values, so one-row rules live in one place."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = (
            model(**{f.name: getattr(self.instance, f.name) for f in model._meta.concrete_fields})
            if self.instance
            else model()
        )
        for name, value in attrs.items():
            field = model._meta.get_field(name) if name in {f.name for f in model._meta.get_fields()} else None
            if field is not None and not field.many_to_many:
                setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return attrs


class MeSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "scope"]

    def get_scope(self, user) -> dict:
        scope = scope_of(user)
        if scope.everything:
            return {"kind": "all", "id": None, "name": None}
        if scope.region is not None:
            return {"kind": "region", "id": user.region_id, "name": user.region.name, "level": user.region.level}
        if scope.station_id is not None:
            return {"kind": "station", "id": user.station_id, "name": user.station.name}
        if scope.agency_id is not None:
            return {"kind": "agency", "id": user.organization_id, "name": user.organization.name}
        return {"kind": "none", "id": None, "name": None}
