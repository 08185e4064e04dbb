from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .network import client_address
from .serializers import MeSerializer
from .tokens import token_issue, tokens_revoke


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenThrottle(AnonRateThrottle):
    """Sign-in attempts per client address (``client_address``: a forged X-Forwarded-For does not reset it)."""

    scope = "token"

    def get_ident(self, request):
        return client_address(request)


class TokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <t>``).

    Each sign-in gets its own token, which lapses after ``TOKEN_IDLE_DAYS`` unused and ``TOKEN_MAX_DAYS``
    at most. Failed attempts count towards the same lockout as the login page (django-axes).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            # Answer in JSON here rather than with the lockout page axes' middleware would render.
            request._request.axes_locked_out = False
            return Response(
                {"detail": _("Too many failed sign-in attempts: this account is locked for a while.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            raise serializers.ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        return Response({"token": token_issue(user=user)})


class LogoutView(APIView):
    """Sign out this client: the token the request was sent with stops working (others stay valid)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.auth is not None and hasattr(request.auth, "digest"):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Sign out everywhere: every token of the signed-in user stops working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user: username, role and scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
