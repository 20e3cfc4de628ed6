"""``/api/v1/applications/`` — the one form (一表填报) over REST.

Thin on purpose: the serializers check *types* only, because a draft may be incomplete
(a malformed amount or date, a wrong JSON type or an unknown choice answers 400 with
field paths); :mod:`yilian.forms.services` changes state and
:mod:`yilian.forms.validation` decides at submission whether the form is complete.

- ``GET /applications/`` lists the applications you may read, newest first,
  paginated: ``?page=N``, 50 per page by default, ``?page_size=`` up to 200; the answer
  is ``{count, next, previous, results}``.
- ``POST /applications/`` saves a draft → 201. ``PATCH /applications/{id}/`` edits a
  draft or a returned application; ``investors``, ``people`` and ``employees`` are
  replaced wholesale when present → 200, 409 when the application can no longer change.
- ``POST /applications/{id}/submit/`` → 202 (accepted, the chain starts), or 400 with
  every field error at once — ``parties.unconfirmed`` for each person named who has not
  confirmed (their confirmations: :mod:`yilian.api.parties`).

Who reads what is :mod:`yilian.forms.access`, the pages' rule: the owner their own;
window staff every submitted application (never a draft); a department officer the
applications with a step of theirs, each as :class:`OfficerApplicationSerializer` (only
what their department is sent); an administrator none. An application one may not read
answers 404; one that may be read but not changed answers 403 to a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from yilian.accounts import roles
from yilian.accounts.permissions import has_role
from yilian.api.errors import FieldErrors, field_error
from yilian.chain.models import Step
from yilian.forms import access, services
from yilian.forms.models import Application, Employee, Investor, InvoiceType, Person, Seal


class _StorableText:
    """Refuse text that cannot be stored as UTF-8 (JSON allows lone surrogates such as
    ``"\\ud800"``) before it reaches the database or is echoed in an error message."""

    default_error_messages = {"unencodable": "Text contains characters that are not valid "
                                             "Unicode (lone surrogates)."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data.encode()
            except UnicodeEncodeError:
                self.fail("unencodable")
        return super().to_internal_value(data)


class Text(_StorableText, serializers.CharField):
    pass


class Email(_StorableText, serializers.EmailField):
    pass


class Choice(_StorableText, serializers.ChoiceField):
    pass


class _FormSerializer(serializers.ModelSerializer):
    """Model serializers whose text and choice fields refuse unstorable strings."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: Text, models.TextField: Text, models.EmailField: Email,
    }
    serializer_choice_field = Choice


class InvestorSerializer(_FormSerializer):
    """出资人: a natural person (``id_number`` and their own ``phone``) or a corporate
    body (``uscc``, and the person who signs for it: ``signatory_name``,
    ``signatory_id_number``, ``signatory_phone``)."""

    class Meta:
        model = Investor
        fields = ["kind", "name", "id_number", "uscc", "phone", "signatory_name",
                  "signatory_id_number", "signatory_phone", "amount", "contribution_date",
                  "contribution_method"]


class PersonSerializer(_FormSerializer):
    """Legal representative, director, supervisor, manager, financial officer, tax
    handler or contact; one entry per role a person holds."""

    class Meta:
        model = Person
        fields = ["role", "name", "id_number", "phone", "email"]

    def validate(self, attrs):
        # A PATCH is partial all the way down, but a person without a role is meaningless.
        if "role" not in attrs:
            raise serializers.ValidationError(
                {"role": [serializers.ErrorDetail("This field is required.", code="required")]})
        return attrs


class EmployeeSerializer(_FormSerializer):
    """参保职工 — staff to enrol in social and medical insurance."""

    class Meta:
        model = Employee
        fields = ["name", "id_number", "monthly_wage", "start_date"]


class InvoicesSerializer(serializers.Serializer):
    """发票 — invoice types to apply for and the expected monthly quantity."""

    types = serializers.ListField(child=Choice(choices=InvoiceType.choices), required=False,
                                  max_length=len(InvoiceType.values) * 2)
    monthly_quantity = serializers.IntegerField(required=False, allow_null=True,
                                                min_value=-10**9, max_value=10**9)


class BankAppointmentSerializer(serializers.Serializer):
    """银行开户预约 — optional; null for none."""

    bank = Text(max_length=100, required=False, allow_blank=True)
    branch = Text(max_length=100, required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)


class ApplicationStepSerializer(serializers.ModelSerializer):
    """One department's step of the chain (一链), as the applicant sees it."""

    status = serializers.CharField(help_text="pending, running, retrying, done or failed")

    class Meta:
        model = Step
        fields = ["code", "status", "started_at", "finished_at", "attempts", "reference"]


LicenseLinks = inline_serializer("ApplicationLicenseLinks", {
    "pdf_url": serializers.URLField(), "json_url": serializers.URLField(),
}, allow_null=True)
FieldErrorSerializer = inline_serializer("ApplicationFieldError", {
    "field": serializers.CharField(), "code": serializers.CharField(),
    "message_zh": serializers.CharField(), "message_en": serializers.CharField(),
})
ErrorsSerializer = inline_serializer("ApplicationErrors", {
    "errors": serializers.ListField(child=FieldErrorSerializer),
})


class OfficerApplicationSerializer(serializers.Serializer):
    """部门经办人视图 — a department officer's read of an application: its state, their
    departments' steps, and per department exactly the part of the one form that the
    department's adapter sends it (``Department.build_payload``)."""

    id = serializers.UUIDField(read_only=True)
    status = serializers.CharField(source="public_status", read_only=True)
    uscc = serializers.CharField(read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True)
    steps = serializers.SerializerMethodField()
    departments = serializers.SerializerMethodField(
        help_text="department step code → what that department is sent")

    @extend_schema_field(ApplicationStepSerializer(many=True))
    def get_steps(self, application: Application) -> list[dict]:
        mine = set(access.officer_departments(self.context["request"].user, application))
        return ApplicationStepSerializer(
            [s for s in application.chain.steps.all() if s.code in mine], many=True).data

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_departments(self, application: Application) -> dict:
        return access.department_view(self.context["request"].user, application)


class ApplicationSerializer(_FormSerializer):
    """The one form. Every part is optional in a draft; submission checks them all."""

    business_scope = serializers.ListField(child=Text(max_length=200, allow_blank=True),
                                           required=False, max_length=200)
    seals = serializers.ListField(child=Choice(choices=Seal.choices), required=False,
                                  max_length=len(Seal.values) * 2)
    invoices = InvoicesSerializer(required=False)
    bank_appointment = BankAppointmentSerializer(required=False, allow_null=True)
    investors = InvestorSerializer(many=True, required=False, max_length=200)
    people = PersonSerializer(many=True, required=False, max_length=200)
    employees = EmployeeSerializer(many=True, required=False, max_length=2000)
    permits = serializers.DictField(
        child=Text(max_length=64), required=False,
        help_text="Prior permits held: business-scope entry id → permit number")
    pledges = serializers.ListField(
        child=Text(max_length=32), required=False, max_length=200,
        help_text="Business-scope entry ids the applicant pledges for (告知承诺)")
    status = serializers.SerializerMethodField(
        help_text="draft, submitted, in_review, returned, rejected, withdrawn, expired, "
                  "processing or completed")
    steps = serializers.SerializerMethodField()
    license = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField(
        help_text="The latest admission decision: outcome, findings (rule, basis, …), "
                  "catalogue editions, and every permit given with how it was checked "
                  "(checked_by: department, examiner, or empty = not relied on)")

    class Meta:
        model = Application
        fields = ["id", "status", "name", "org_form", "registered_capital", "domicile",
                  "division_code", "industry_code", "business_scope", "operating_term_years",
                  "seals", "invoices", "bank_appointment", "permits", "pledges",
                  "investors", "people", "employees",
                  "uscc", "created_at", "updated_at", "submitted_at", "accepted_at",
                  "review_comment", "decision", "steps", "license"]
        read_only_fields = ["id", "uscc", "created_at", "updated_at", "submitted_at",
                            "accepted_at", "review_comment"]

    def to_representation(self, instance):
        request = self.context.get("request")
        if request is not None and isinstance(instance, Application) and \
                not access.sees_whole_form(request.user, instance):
            return OfficerApplicationSerializer(instance, context=self.context).data
        return super().to_representation(instance)

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, application: Application) -> str:
        return application.public_status()

    @extend_schema_field(ApplicationStepSerializer(many=True))
    def get_steps(self, application: Application) -> list[dict]:
        chain = getattr(application, "chain", None)
        if chain is None:
            return []
        return ApplicationStepSerializer(chain.steps.all(), many=True).data

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_decision(self, application: Application) -> dict | None:
        latest = application.decisions.first()
        if latest is None:
            return None
        return {"outcome": latest.outcome, "findings": latest.findings,
                "editions": latest.editions, "decided_at": latest.decided_at,
                "permits": [p.as_dict() for p in latest.permit_checks.all()]}

    @extend_schema_field(LicenseLinks)
    def get_license(self, application: Application) -> dict | None:
        try:  # at call time, so the form's API never depends on licenses being built
            from yilian.licenses.services import license_links
        except ImportError:
            return None
        return license_links(application, self.context.get("request"))


class ApplicationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class Conflict(FieldErrors):
    status_code = status.HTTP_409_CONFLICT


@contextmanager
def _service_errors() -> Iterator[None]:
    """Answer the services' refusals in the API's error shape."""
    try:
        yield
    except services.InvalidApplication as exc:
        raise FieldErrors(exc.errors) from exc
    except services.NotEditable as exc:
        raise Conflict([field_error("status", exc.code, exc.message_zh,
                                    exc.message_en)]) from exc
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """设立登记申请 — the applicant's applications (staff: all, read-only)."""

    serializer_class = ApplicationSerializer
    pagination_class = ApplicationPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Application.objects.none()
        return services.visible_to(self.request.user)

    def _answer(self, application: Application, code: int) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(responses={201: ApplicationSerializer, 400: ErrorsSerializer})
    def create(self, request, *args, **kwargs):
        if roles.is_staff_member(request.user) and not has_role(request.user, roles.APPLICANT):
            # As on the pages: applicants file applications; staff act on them.
            raise exceptions.PermissionDenied("staff do not file applications")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.create_draft(request.user, serializer.validated_data)
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(responses={200: ApplicationSerializer, 400: ErrorsSerializer,
                              403: ErrorsSerializer, 404: ErrorsSerializer,
                              409: ErrorsSerializer})
    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        with _service_errors():
            services.check_can_edit(application, request.user)
            serializer = self.get_serializer(application, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            services.update_draft(application, request.user, serializer.validated_data)
        return self._answer(application, status.HTTP_200_OK)

    @extend_schema(request=None, responses={202: ApplicationSerializer, 400: ErrorsSerializer,
                                            403: ErrorsSerializer, 404: ErrorsSerializer,
                                            409: ErrorsSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """提交 — check the whole form; accept it and start the chain, or list every error."""
        application = self.get_object()
        with _service_errors():
            services.submit_application(application, request.user)
        return self._answer(application, status.HTTP_202_ACCEPTED)
