# The yardstick of BenchmarkIssueAndPay (docs/ARCHITECTURE.md, "The cost
# of a payment"): the same operation written plainly with Django's ORM on
# SQLite, to run beside HMS's benchmark on the same machine in the same
# run. A five-line draft (one priced line, four with discount and tax) is
# issued (totals from its lines, a number, the status) and paid in full in
# cash (payment, allocation, the invoice's totals and status), each step
# one committed transaction in WAL mode with synchronous=FULL, as HMS's.
# No audit, no seals, no outbox, no summaries, no session check.
#
#   apt-get install python3-django
#   PATIENTS=1000000 N=1000 /usr/bin/python3 docs/reference/issue_and_pay_django.py /tmp/ref.db
#
# The first run builds the database (PATIENTS patients, a third as many
# paid invoices); later runs reuse it. Prints p50 and p99 of the issue and
# payment together, in milliseconds.
import os, sys, time, sqlite3, random, statistics
import django
from django.conf import settings
DB = sys.argv[1] if len(sys.argv) > 1 else 'issue_and_pay_reference.db'
N = int(os.environ.get('N', '1000'))
PATIENTS = int(os.environ.get('PATIENTS', '1000000'))
settings.configure(DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': DB}},
                   INSTALLED_APPS=['ref'], DEFAULT_AUTO_FIELD='django.db.models.AutoField')
sys.modules['ref'] = type(sys)('ref'); sys.modules['ref'].__file__ = __file__
import types
from django.apps import AppConfig
class RefConfig(AppConfig):
    name = 'ref'; path = os.path.dirname(os.path.abspath(__file__))
sys.modules['ref'].RefConfig = RefConfig
sys.modules['ref'].default_app_config = 'ref.RefConfig'
django.setup()
from django.db import models, transaction, connection
from django.db.backends.signals import connection_created
def pragmas(sender, connection, **kw):
    c = connection.cursor(); c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA synchronous=FULL'); c.execute('PRAGMA foreign_keys=ON')
connection_created.connect(pragmas)
class Patient(models.Model):
    number = models.CharField(max_length=20, unique=True); family = models.CharField(max_length=100, db_index=True)
    given = models.CharField(max_length=100); born = models.DateField()
    class Meta: app_label = 'ref'
class Invoice(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT); status = models.CharField(max_length=10, db_index=True)
    number = models.CharField(max_length=20, null=True, unique=True); issued_at = models.DateTimeField(null=True)
    subtotal = models.BigIntegerField(default=0); tax = models.BigIntegerField(default=0); total = models.BigIntegerField(default=0)
    paid = models.BigIntegerField(default=0); balance = models.BigIntegerField(default=0)
    class Meta: app_label = 'ref'
class Line(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE); description = models.CharField(max_length=200)
    quantity = models.BigIntegerField(); unit_price = models.BigIntegerField(); discount_rate = models.IntegerField(); tax_rate = models.IntegerField()
    class Meta: app_label = 'ref'
class Payment(models.Model):
    method = models.CharField(max_length=10); amount = models.BigIntegerField(); tendered = models.BigIntegerField(); taken_at = models.DateTimeField()
    class Meta: app_label = 'ref'
class Allocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE); invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT); amount = models.BigIntegerField()
    class Meta: app_label = 'ref'
from django.utils import timezone
fresh = not os.path.exists(DB)
if fresh:
    with connection.schema_editor() as se:
        for m in (Patient, Invoice, Line, Payment, Allocation): se.create_model(m)
    raw = connection.connection
    raw.execute('BEGIN')
    raw.executemany('INSERT INTO ref_patient (number, family, given, born) VALUES (?,?,?,?)',
                    ((f'P{i:08d}', f'Family{i % 50000}', f'Given{i % 977}', '1980-01-01') for i in range(PATIENTS)))
    raw.executemany("INSERT INTO ref_invoice (patient_id, status, number, issued_at, subtotal, tax, total, paid, balance) VALUES (?,?,?,?,?,?,?,?,?)",
                    ((1 + i * 3 % PATIENTS, 'paid', f'INV-{i:08d}', '2026-01-01 10:00:00', 1000, 130, 1130, 1130, 0) for i in range(PATIENTS // 3)))
    raw.execute('COMMIT')
next_no = Invoice.objects.exclude(number=None).count() + 1
lat = []
for k in range(N):
    with transaction.atomic():
        inv = Invoice.objects.create(patient_id=random.randint(1, PATIENTS), status='draft')
        Line.objects.bulk_create([Line(invoice=inv, description='Lab', quantity=2, unit_price=1999, discount_rate=0, tax_rate=2400)] +
                                 [Line(invoice=inv, description=f'Item {i}', quantity=i + 1, unit_price=1234, discount_rate=500, tax_rate=1300) for i in range(4)])
    t0 = time.perf_counter()
    with transaction.atomic():
        inv = Invoice.objects.select_for_update().get(pk=inv.pk)
        sub = tax = 0
        for l in inv.line_set.all():
            net = l.quantity * l.unit_price * (10000 - l.discount_rate) // 10000
            sub += net; tax += net * l.tax_rate // 10000
        inv.status, inv.number, inv.issued_at = 'issued', f'INV-{next_no:08d}', timezone.now()
        inv.subtotal, inv.tax, inv.total, inv.balance = sub, tax, sub + tax, sub + tax
        inv.save(); next_no += 1
    with transaction.atomic():
        inv = Invoice.objects.get(pk=inv.pk)
        p = Payment.objects.create(method='cash', amount=inv.balance, tendered=inv.balance + 1000, taken_at=timezone.now())
        Allocation.objects.create(payment=p, invoice=inv, amount=inv.balance)
        inv.paid += inv.balance; inv.balance = 0; inv.status = 'paid'; inv.save()
    lat.append(time.perf_counter() - t0)
lat.sort()
print(f'django-ref patients={PATIENTS} n={N} p50-ms={lat[len(lat)//2]*1000:.3f} p99-ms={lat[int(len(lat)*0.99)]*1000:.3f}')
