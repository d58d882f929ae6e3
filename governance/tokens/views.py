"""The signed-in page "Your API tokens": list (made, expires, last used), make one with a
name (its secret shown once), revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from plangov import clock
from plangov.errors import InvalidInput
from plangov.forms import Form, put_back

from .models import ApiToken
from .services import token_create, token_revoke


class TokenForm(Form):
    name = forms.CharField(label="Name", max_length=100,
                           help_text="What the token is for, for example the program using it.")


@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = token_create(user=request.user, name=form.cleaned_data["name"],
                                      actor=request.user)
        except InvalidInput as exc:
            put_back(form, exc)
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).live(clock.now())
    response = render(request, "tokens/tokens.html",
                      {"form": form, "tokens": tokens, "created": created},
                      status=400 if form.errors else 200)
    if created:
        response["Cache-Control"] = "no-store"  # the secret is on this page once
    return response


@login_required
@require_POST
def token_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_revoke(token_id=pk, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api-tokens")
