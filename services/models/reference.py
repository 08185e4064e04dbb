"""Reference tables, the same for everyone signed in: the service catalogue and the target groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reference rows (catalogue, target groups) are read by everyone signed in."""
        return self.all() if user is not None and user.is_authenticated and user.is_active else self.none()


class CatalogCategory(models.Model):
    """A category of the service catalogue (Suzhou menu): 基础类, 增能类, 治理类, and any added later."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue category")
        verbose_name_plural = _("catalogue categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CatalogSubItem(models.Model):
    """A sub-item (子项) of a catalogue category."""

    category = models.ForeignKey(
        CatalogCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="sub_items"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue sub-item")
        verbose_name_plural = _("catalogue sub-items")
        ordering = ["category__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="catalog_sub_item_once")]

    def __str__(self) -> str:
        return self.name


class CatalogItem(models.Model):
    """An item (小项) of the catalogue a project can be tagged with."""

    sub_item = models.ForeignKey(
        CatalogSubItem, verbose_name=_("sub-item"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["sub_item__category__order", "sub_item__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["sub_item", "name"], name="catalog_item_once")]

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """A target group a beneficiary may belong to (困难家庭, 孤寡/独居老人, 困境儿童...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name
