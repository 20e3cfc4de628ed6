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
  confirmed (their confirmations: :mod:`yilian.api.parties`). Submitting is the
  pledge of truthfulness (承诺书, :mod:`yilian.forms.declaration`), recorded as made
  through the API; an optional ``{"pledge": true}`` says so, ``false`` refuses (400).
- ``DELETE /applications/{id}/`` deletes a draft never submitted → 204 (the owner
  only); anything submitted once answers 409 (withdraw it instead).

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
from django.db.models import prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from yilian.accounts import roles
from yilian.accounts.permissions import has_role
from yilian.api.errors import FieldErrors, field_error
from yilian.api.fields import Code, Email, FieldsBuiltOnce, Flag, Folded, Money, Text, money
from yilian.chain.models import Step, StepStatus
from yilian.forms import access, declaration, lifecycle, services
from yilian.forms.models import Application, Employee, Investor, InvoiceType, Person, Purpose, Seal
from yilian.forms.money import MoneyField


class _FormSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """Model serializers of the one form. Text needs no check of its own here: NUL and
    lone surrogates never get past the request guard (:mod:`yilian.guards`)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: Text, models.TextField: Text, models.EmailField: Email,
        MoneyField: Money,  # made exact per field's digits below
        models.BooleanField: Flag,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, MoneyField):
            field_class = money(model_field.max_digits)
        return field_class, kwargs


class InvestorSerializer(_FormSerializer):
    """出资人 (股东, 发起人, 合伙人, 成员 or 经营者, by the kind of entity): a natural
    person (``id_number`` and their own ``phone``) or a corporate body (``uscc``, and the
    person who signs for it: ``signatory_name``, ``signatory_id_number``,
    ``signatory_phone``). Partners give their ``liability``, whether they are
    ``managing`` (执行事务合伙人) and, for a corporate one, its appointed representative;
    a cooperative's members whether they are a ``farmer`` (docs/entity-kinds.md)."""

    id_number = Code(max_length=18, upper=True)
    uscc = Code(max_length=18, upper=True)
    phone = Code(max_length=20)
    signatory_id_number = Code(max_length=18, upper=True)
    signatory_phone = Code(max_length=20)
    representative_id_number = Code(max_length=18, upper=True)
    representative_phone = Code(max_length=20)

    class Meta:
        model = Investor
        fields = ["kind", "name", "id_number", "uscc", "phone", "signatory_name",
                  "signatory_id_number", "signatory_phone", "amount", "contribution_date",
                  "contribution_method", "liability", "managing", "representative_name",
                  "representative_id_number", "representative_phone", "farmer", "shares"]


class PersonSerializer(_FormSerializer):
    """Legal representative, director, supervisor, manager, financial officer, tax
    handler or contact; one entry per role a person holds."""

    id_number = Code(max_length=18, upper=True)
    phone = Code(max_length=20)

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

    id_number = Code(max_length=18, upper=True)

    class Meta:
        model = Employee
        fields = ["name", "id_number", "monthly_wage", "start_date"]


class InvoicesSerializer(serializers.Serializer):
    """发票 — invoice types to apply for and the expected monthly quantity."""

    types = serializers.ListField(child=serializers.ChoiceField(choices=InvoiceType.choices),
                                  required=False, max_length=len(InvoiceType.values) * 2)
    monthly_quantity = serializers.IntegerField(required=False, allow_null=True,
                                                min_value=-10**9, max_value=10**9)


class BankAppointmentSerializer(serializers.Serializer):
    """银行开户预约 — optional; null for none."""

    bank = Text(max_length=100, required=False, allow_blank=True)
    branch = Text(max_length=100, required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)


class ApplicationStepSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """One department's step of the chain (一链), as the applicant sees it."""

    status = serializers.CharField(
        help_text="pending, running, waiting (accepted by the department, 待部门办结), "
                  "retrying, done or failed")
    expected_at = serializers.SerializerMethodField(
        help_text="When the department said to expect its result (预计办结时间); only "
                  "while the step is waiting, else null")
    overdue = serializers.SerializerMethodField(
        help_text="Past the chain's promised deadline (unfinished, or finished late)")
    waiting_on = serializers.SerializerMethodField(
        help_text="Who must act next: department (waiting or retrying), person (failed: "
                  "an officer looks), or null")

    class Meta:
        model = Step
        fields = ["code", "status", "started_at", "finished_at", "attempts", "reference",
                  "expected_at", "overdue", "waiting_on"]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expected_at(self, step: Step):
        if step.status != StepStatus.WAITING or step.expected_at is None:
            return None
        return serializers.DateTimeField().to_representation(step.expected_at)

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, step: Step) -> bool:
        return step.is_overdue()

    @extend_schema_field(serializers.ChoiceField(choices=["department", "person"],
                                                 allow_null=True))
    def get_waiting_on(self, step: Step) -> str | None:
        return step.waiting_on


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

    division_code = Code(max_length=6)
    industry_code = Code(max_length=5)
    parent_uscc = Code(max_length=18, upper=True)
    business_scope = serializers.ListField(
        child=Text(max_length=200, allow_blank=True), required=False,
        max_length=200)
    seals = serializers.ListField(child=serializers.ChoiceField(choices=Seal.choices),
                                  required=False, max_length=len(Seal.values) * 2)
    invoices = InvoicesSerializer(required=False)
    bank_appointment = BankAppointmentSerializer(required=False, allow_null=True)
    investors = InvestorSerializer(many=True, required=False, max_length=200)
    people = PersonSerializer(many=True, required=False, max_length=200)
    employees = EmployeeSerializer(many=True, required=False, max_length=2000)
    permits = serializers.DictField(
        child=Folded(max_length=64, allow_blank=True), required=False,
        help_text="Prior permits held: business-scope entry id → permit number")
    pledges = serializers.ListField(
        child=Text(max_length=32, allow_blank=True), required=False, max_length=200,
        help_text="Business-scope entry ids the applicant pledges for (告知承诺)")
    status = serializers.SerializerMethodField(
        help_text="draft, submitted, in_review, returned, rejected, withdrawn, expired, "
                  "processing or completed")
    steps = serializers.SerializerMethodField()
    license = serializers.SerializerMethodField()
    return_reasons = serializers.ListField(
        child=inline_serializer("ReturnReason", {
            "code": serializers.CharField(), "step": serializers.CharField(),
            "fields": serializers.ListField(child=serializers.CharField()),
            "zh": serializers.CharField(), "en": serializers.CharField(),
            "edition": serializers.CharField()}),
        read_only=True,
        help_text="退回补正: the standard reasons the examiner picked, each with the form "
                  "step and the fields (JSON paths) at fault; empty unless returned")
    decision = serializers.SerializerMethodField(
        help_text="The latest admission decision: outcome, findings (rule, basis, …), "
                  "catalogue editions, and every permit given with how it was checked "
                  "(checked_by: department, examiner, or empty = not relied on)")
    purpose = serializers.CharField(
        read_only=True, help_text="establish (设立), change (变更) or close (注销)")
    enterprise = serializers.SerializerMethodField(
        help_text="The USCC of the enterprise a change or closing is for; null for an "
                  "establishment")
    changes = serializers.SerializerMethodField(
        help_text="What a change changes against the register: particular → [before, "
                  "after] (scalar fields, investors, employees, people.<role>); empty "
                  "otherwise")

    class Meta:
        model = Application
        fields = ["id", "status", "purpose", "enterprise", "changes", "name", "org_form",
                  "registered_capital", "domicile",
                  "division_code", "industry_code", "business_scope", "operating_term_years",
                  "composition", "parent_uscc", "audit_committee",
                  "seals", "invoices", "bank_appointment", "permits", "pledges",
                  "investors", "people", "employees",
                  "uscc", "created_at", "updated_at", "submitted_at", "accepted_at",
                  "review_comment", "return_reasons", "decision", "steps", "license"]
        read_only_fields = ["id", "uscc", "created_at", "updated_at", "submitted_at",
                            "accepted_at", "review_comment", "return_reasons"]

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

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": {}})
    def get_decision(self, application: Application) -> dict | None:
        from yilian.rules import services as rules  # the rules import the forms app

        return rules.latest_shown(application)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_enterprise(self, application: Application) -> str | None:
        return application.uscc if application.subject_id else None

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "array"}})
    def get_changes(self, application: Application) -> dict:
        from yilian.forms import afterwards

        return afterwards.changes(application)

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

    def get_page_size(self, request):
        """A ``page_size`` that is not a positive whole number is the caller's mistake
        (400), not a reason to answer a different page size."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise FieldErrors([field_error(
                self.page_size_query_param, "page_size.invalid", "每页条数应为正整数",
                "page_size must be a positive whole number")])
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        """``?page=`` (empty) is not page 1 but no page at all, as ``?page=x`` is."""
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit()):
            raise exceptions.NotFound(self.invalid_page_message.format(
                page_number=raw, message="not a page number"))
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class SubmitSerializer(serializers.Serializer):
    """The submission's optional body."""

    pledge = serializers.BooleanField(
        required=False, help_text="承诺书 — true (the default): the submitting account "
        "pledges that the information is true and lawful; false refuses to submit.")


def _optional_body(request) -> dict:
    """The body of an action whose body is optional. Clients have always been able to
    post these with no body at all, or an empty form body (an HTTP library's default):
    that keeps working; a form body's fields are read as JSON's would be."""
    try:
        data = request.data
    except exceptions.UnsupportedMediaType:
        data = request._request.POST  # Django parses form bodies; anything else is empty
    # A plain dict: a form's missing checkbox would otherwise read as false.
    return dict(data.items()) if isinstance(data, dict) else {}


class Conflict(FieldErrors):
    status_code = status.HTTP_409_CONFLICT


@contextmanager
def service_errors() -> Iterator[None]:
    """Answer the services' refusals in the API's error shape."""
    try:
        yield
    except services.InvalidApplication as exc:
        raise FieldErrors(exc.errors) from exc
    except declaration.PledgeRequired as exc:
        raise FieldErrors([exc.as_error()]) from exc
    except (services.NotEditable, lifecycle.NotDeletable, lifecycle.NotWithdrawable) as exc:
        raise Conflict([field_error("status", exc.code, exc.message_zh,
                                    exc.message_en)]) from exc
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """设立登记申请 — the applicant's applications (staff: all, read-only)."""

    serializer_class = ApplicationSerializer
    pagination_class = ApplicationPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Application.objects.none()
        return services.visible_to(self.request.user)

    def _row(self) -> Application:
        """What :meth:`get_object` finds (404 when not visible, the object permissions
        checked), without the parties and steps it loads for a representation: an
        action that reads the form afresh (submission does, under its lock) and answers
        with :meth:`_answer` would load them twice for nothing."""
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        lookup = self.lookup_url_kwarg or self.lookup_field
        application = generics.get_object_or_404(
            queryset, **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, application)
        return application

    def _answer(self, application: Application, code: int) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _answer_in_hand(self, application: Application, code: int) -> Response:
        """:meth:`_answer` from the object a submission returns rather than read again:
        it holds the form as saved, its parties in form order, its chain as started and
        its decision (:func:`yilian.rules.services.latest_shown`); only the new chain's
        steps are read. The same representation, a few milliseconds cheaper."""
        prefetch_related_objects([application], "chain__steps")
        return Response(self.get_serializer(application).data, status=code)

    @extend_schema(responses={201: ApplicationSerializer, 400: ErrorsSerializer})
    def create(self, request, *args, **kwargs):
        if roles.is_staff_member(request.user) and not has_role(request.user, roles.APPLICANT):
            # As on the pages: applicants file applications; staff act on them.
            raise exceptions.PermissionDenied("staff do not file applications")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():  # a division code the domicile contradicts
            application = services.create_draft(request.user, serializer.validated_data)
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(responses={200: ApplicationSerializer, 400: ErrorsSerializer,
                              403: ErrorsSerializer, 404: ErrorsSerializer,
                              409: ErrorsSerializer})
    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        with service_errors():
            services.check_can_edit(application, request.user)
            serializer = self.get_serializer(application, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            services.update_draft(application, request.user, serializer.validated_data)
        return self._answer(application, status.HTTP_200_OK)

    @extend_schema(responses={204: None, 403: ErrorsSerializer, 404: ErrorsSerializer,
                              409: ErrorsSerializer})
    def destroy(self, request, *args, **kwargs):
        """删除草稿 — delete a draft never submitted (the owner only) → 204; whatever it
        held is released. Anything submitted once answers 409: withdraw it instead."""
        application = self.get_object()
        with service_errors():
            lifecycle.delete_draft(application, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=SubmitSerializer,
        description="提交 — check the whole form; accept it and start the chain (202), or "
        "list every field error (400). The body is optional. Submitting through the API "
        "is the submitting account's pledge of truthfulness (承诺书: the information is "
        "true and lawful, and the applicant and the parties bear the legal "
        "responsibility for it); it is recorded on the application as made through the "
        "API, by that account, at that time. `{\"pledge\": true}` says so explicitly; "
        "`{\"pledge\": false}` refuses the pledge and the submission (400 "
        "`declaration.required`).",
        responses={202: ApplicationSerializer, 400: ErrorsSerializer,
                   403: ErrorsSerializer, 404: ErrorsSerializer, 409: ErrorsSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """提交 — check the whole form; accept it and start the chain, or list every error."""
        application = self._row()
        body = SubmitSerializer(data=_optional_body(request))
        body.is_valid(raise_exception=True)
        with service_errors():
            pledge = declaration.Pledge.confirmed(body.validated_data.get("pledge", True),
                                                  declaration.DeclarationVia.API,
                                                  request.user)
            submitted = services.submit_application(application, request.user, pledge)
        if submitted.purpose == Purpose.CLOSE:
            # A closing's chain starts on its closure's own copy of the application.
            return self._answer(submitted, status.HTTP_202_ACCEPTED)
        return self._answer_in_hand(submitted, status.HTTP_202_ACCEPTED)
