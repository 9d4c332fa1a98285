"""Runs localstripe as the platform's PSP sandbox.

localstripe's own entry point (`localstripe --port N`) has no host option: it binds `::`, which on
Linux is every interface over IPv4 and IPv6. It also pickles its whole store to the fixed path
/tmp/localstripe.pickle, shared by every copy on the machine, truncating it in place on every write
(a kill mid-write leaves a file that stops the next start). So this launcher serves localstripe's
own aiohttp application unchanged, except for the patches below, each with its reason:

1. Listen on 127.0.0.1 only.
2. Keep the state in --state-file (in the platform's data folder), written at most once a second
   (see StateFile for the measured reason) to a temporary file then renamed, so a kill mid-write
   leaves the previous state intact.
3. Refunds are bounded by what is left on the charge, as Stripe does: localstripe accepts a refund
   of any amount (even of a canceled, never captured hold), and a refund without `amount`
   refunds the whole charge again.
4. A PaymentIntent is captured only from requires_capture, as Stripe does: localstripe captures a
   canceled one.
5. DELETE /_config/webhooks/{id} removes a webhook target; localstripe can only add them, and test
   suites must clean up after themselves.
6. Listing the objects of one type reads a per-type index instead of scanning the whole store.
   Same answers, other cost: localstripe lists by scanning every stored object, and every export of
   a Charge lists its refunds that way three times; a PaymentIntent's answer embeds its charge, so
   each authorize or capture cost O(objects stored). Measured here (bench/saga/README.md): 32
   concurrent authorize+capture flows ran at 218 flows/s on an empty store, 41 flows/s with ~1,000
   intents stored and 8.6 flows/s with 2,500; indexed, ~600-670 flows/s either way.
7. GET /v1/payment_intents takes Stripe's `created` filter (a Unix time, or any of gt/gte/lt/lte):
   the payment service finds an intent whose id it never learned by its metadata among the intents
   created around its first attempt, a query that cannot create anything (decision 0022);
   localstripe refuses the parameter.
8. A PaymentIntent's `latest_charge` is the charge's id unless the request expands it
   (`expand[]=latest_charge`, or `data.latest_charge` in a list), as at Stripe; localstripe always
   embeds the charge, so a client that forgot to expand would work here and not at Stripe.
9. A card charge authorized for manual capture says when the authorization lapses, as Stripe does:
   `payment_method_details.card.capture_before`, 7 days after the charge was created (Stripe's
   validity for online card payments); localstripe has no payment_method_details.

The patches reach into localstripe's internals, so the launcher refuses any other version than the
one it was written for: upgrading means reading localstripe's diff and this file again.
"""

import argparse
import asyncio
import importlib.metadata
import logging
import os
import pickle
import sys

EXPECTED_LOCALSTRIPE_VERSION = '1.15.10'
# At most this much of the latest state is lost when the process is killed with SIGKILL.
FLUSH_DELAY_S = 1.0
# aiohttp waits this long for requests in flight on SIGTERM (its default is 60 s).
SHUTDOWN_TIMEOUT_S = 5.0
# Patch 9: how long a manual-capture card authorization holds (Stripe: 7 days for online payments).
CARD_AUTHORIZATION_VALIDITY_S = 7 * 24 * 3600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--state-file', required=True,
                        help='pickle of the store; loaded at start if present')
    return parser.parse_args()


def check_version():
    installed = importlib.metadata.version('localstripe')
    if installed != EXPECTED_LOCALSTRIPE_VERSION:
        sys.exit(f'serve.py patches localstripe {EXPECTED_LOCALSTRIPE_VERSION}, '
                 f'but {installed} is installed; review the patches first')


class StateFile:
    """The store's pickle, written at most once per FLUSH_DELAY_S and once more at shutdown.

    localstripe pickles the whole store after every write: measured here, 500 authorize+capture
    flows took 83 ms each at the end (12 ms at the start), against 8.5 ms without the writes.
    Coalescing keeps start-up state across `platform down/up` at the cost of the last second of
    writes if the process is killed with SIGKILL.
    """

    def __init__(self, path, store, after_load):
        self.path = path
        self.store = store
        self.after_load = after_load
        self.flush_pending = False

    def load(self):
        try:
            with open(self.path, 'rb') as f:
                old = pickle.load(f)
        except FileNotFoundError:
            return
        except Exception as error:  # a foreign or damaged pickle: say which file
            sys.exit(f'cannot load localstripe state from {self.path}: {error!r}; '
                     'delete it (./platform reset) to start empty')
        dict.clear(self.store)  # the dict's own methods: no write-back while loading
        dict.update(self.store, old)
        self.after_load()  # which also bypassed the list index

    def write_soon(self):
        if self.flush_pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside the server's loop: write now
            self.write_now()
            return
        self.flush_pending = True
        loop.call_later(FLUSH_DELAY_S, self.write_now)

    def write_now(self):
        self.flush_pending = False
        temporary = self.path + '.tmp'
        with open(temporary, 'wb') as f:
            pickle.dump(self.store, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.path)


def keep_state_in(state_file, resources, app):
    resources.Store.try_load_from_disk = lambda store: state_file.load()
    resources.Store.dump_to_disk = lambda store: state_file.write_soon()

    async def write_on_shutdown(app):
        state_file.write_now()

    app.on_cleanup.append(write_on_shutdown)


def bound_refunds(resources, errors):
    """Stripe refuses a refund larger than the charge's unrefunded amount; localstripe does not."""
    refund_init = resources.Refund.__init__
    store = resources.store

    def charge_being_refunded(charge, payment_intent):
        if isinstance(payment_intent, str):
            intent = store.get('payment_intent:' + payment_intent)
            return None if intent is None else intent.latest_charge
        if isinstance(charge, str):
            return store.get('charge:' + charge)
        return None

    def bounded_refund_init(self, charge=None, payment_intent=None, amount=None,
                            metadata=None, **kwargs):
        target = None if kwargs else charge_being_refunded(charge, payment_intent)
        # Unknown ids, failed charges and bad parameters keep localstripe's own answers.
        if target is not None and target.status == 'succeeded':
            remaining = target.amount - target.amount_refunded
            intent = store.get('payment_intent:' + target.payment_intent) if target.payment_intent else None
            if intent is not None and intent.status == 'canceled':
                remaining = 0  # Stripe refunds a canceled hold's whole amount when it cancels it
            if remaining <= 0:
                raise errors.UserError(
                    400, f'Charge {target.id} has already been refunded.',
                    {'code': 'charge_already_refunded'})
            requested = resources.try_convert_to_int(amount)
            if requested is None:
                amount = remaining  # Stripe refunds what is left, not the whole charge again
            elif type(requested) is int and requested > remaining:
                raise errors.UserError(
                    400, f'Refund amount ({requested}) is greater than unrefunded amount '
                         f'on charge ({remaining})', {'param': 'amount'})
        refund_init(self, charge=charge, payment_intent=payment_intent, amount=amount,
                    metadata=metadata, **kwargs)

    resources.Refund.__init__ = bounded_refund_init


def capture_only_held(resources, errors):
    """Stripe captures only a PaymentIntent in requires_capture; localstripe captures a canceled one.

    Patched on Charge._capture, which both capture routes reach: the routes themselves hold
    references taken when localstripe was imported.
    """
    capture = resources.Charge._capture
    store = resources.store

    def guarded_capture(self, amount, on_success=None):
        intent = store.get('payment_intent:' + self.payment_intent) if self.payment_intent else None
        if intent is not None and intent.status != 'requires_capture':
            raise errors.UserError(
                400, f'This PaymentIntent could not be captured because it has a status of '
                     f'{intent.status}. Only a PaymentIntent with one of the following statuses '
                     f'may be captured: requires_capture.',
                {'code': 'payment_intent_unexpected_state'})
        return capture(self, amount, on_success=on_success)

    resources.Charge._capture = guarded_capture


def index_lists(resources):
    """Patch 6: a per-type index of the store, kept by the store's own mutators; returns `rebuild`
    for when the store is filled past them (loading the state file).

    The index holds the same objects in the same order as the store (dicts keep insertion order, and
    re-setting a key keeps its place in both), so a list answers exactly as the scan did.
    """
    store = resources.store
    by_type = {}

    def type_of(key):
        head, sep, _ = key.partition(':')
        return head if sep else None

    def rebuild():
        by_type.clear()
        for key, value in dict.items(store):
            kind = type_of(key)
            if kind is not None:
                by_type.setdefault(kind, {})[key] = value

    set_item = resources.Store.__setitem__
    del_item = resources.Store.__delitem__
    clear = resources.Store.clear

    def indexed_set(self, key, value):
        set_item(self, key, value)
        kind = type_of(key)
        if kind is not None:
            by_type.setdefault(kind, {})[key] = value

    def indexed_del(self, key):
        del_item(self, key)
        kind = type_of(key)
        if kind is not None:
            by_type.get(kind, {}).pop(key, None)

    def indexed_clear(self):  # DELETE /_config/data
        clear(self)
        by_type.clear()

    def list_all(cls, url, limit=None, starting_after=None, **kwargs):
        if kwargs:
            raise resources.UserError(400, 'Unexpected ' + ', '.join(kwargs.keys()))
        listed = resources.List(url, limit=limit, starting_after=starting_after)
        listed._list = list(by_type.get(cls.object, {}).values())
        return listed

    resources.Store.__setitem__ = indexed_set
    resources.Store.__delitem__ = indexed_del
    resources.Store.clear = indexed_clear
    resources.StripeObject._api_list_all = classmethod(list_all)
    return rebuild


def filter_intents_by_created(resources):
    """Patch 7: Stripe's `created` filter on GET /v1/payment_intents; the list stays in store order."""
    list_all = resources.PaymentIntent._api_list_all  # the indexed list (patch 6), bound to the class
    bounds = {'gt': lambda at, t: at > t, 'gte': lambda at, t: at >= t,
              'lt': lambda at, t: at < t, 'lte': lambda at, t: at <= t}

    def wanted(created):
        if isinstance(created, dict) and created and set(created) <= set(bounds):
            limits = [(bounds[op], resources.try_convert_to_int(value)) for op, value in created.items()]
        else:
            limits = [(lambda at, t: at == t, resources.try_convert_to_int(created))]
        if not all(type(t) is int for _, t in limits):
            raise resources.UserError(400, 'Invalid created: a Unix time, or gt/gte/lt/lte Unix times',
                                      {'param': 'created'})
        return lambda intent: all(holds(intent.created, t) for holds, t in limits)

    def list_intents(cls, url, limit=None, starting_after=None, created=None, **kwargs):
        listed = list_all(url, limit=limit, starting_after=starting_after, **kwargs)
        if created is not None:
            keep = wanted(created)
            listed._list = [intent for intent in listed._list if keep(intent)]
        return listed

    resources.PaymentIntent._api_list_all = classmethod(list_intents)


def charge_id_unless_expanded(resources):
    """Patch 8: latest_charge is an id unless expanded, as at Stripe (localstripe embeds it)."""
    export = resources.PaymentIntent._export

    def stripe_shaped_export(self, expand=None):
        exported = export(self, expand=expand)
        charge = exported.get('latest_charge')
        expanded = {path.split('.')[0] for path in (expand or []) if type(path) is str}
        if isinstance(charge, dict) and 'latest_charge' not in expanded:
            exported['latest_charge'] = charge['id']
        return exported

    resources.PaymentIntent._export = stripe_shaped_export


def say_when_authorizations_lapse(resources):
    """Patch 9: payment_method_details.card.capture_before on manual-capture card charges."""
    charge_init = resources.Charge.__init__
    charge_export = resources.Charge._export
    store = resources.store

    def init_with_capture_before(self, *args, **kwargs):
        charge_init(self, *args, **kwargs)
        if not self.captured:  # an authorization to capture later
            self._capture_before = self.created + CARD_AUTHORIZATION_VALIDITY_S

    def export_with_details(self, expand=None):
        exported = charge_export(self, expand=expand)
        method = store.get('payment_method:' + self.payment_method) if self.payment_method else None
        if method is not None and method.type == 'card':
            card = {'brand': method.card.get('brand') if isinstance(method.card, dict) else None}
            capture_before = getattr(self, '_capture_before', None)  # None: made before this patch
            if capture_before is not None:
                card['capture_before'] = capture_before
            exported['payment_method_details'] = {'type': 'card', 'card': card}
        return exported

    resources.Charge.__init__ = init_with_capture_before
    resources.Charge._export = export_with_details


def allow_webhook_removal(app, webhooks, web):
    async def remove_webhook(request):
        webhooks._webhooks.pop(request.match_info['id'], None)
        return web.Response()

    app.router.add_delete('/_config/webhooks/{id}', remove_webhook)


def main():
    args = parse_args()
    check_version()

    from aiohttp import web
    from localstripe import errors, resources, server, webhooks

    rebuild_list_index = index_lists(resources)
    state_file = StateFile(os.path.abspath(args.state_file), resources.store, rebuild_list_index)
    keep_state_in(state_file, resources, server.app)
    bound_refunds(resources, errors)
    capture_only_held(resources, errors)
    filter_intents_by_created(resources)
    charge_id_unless_expanded(resources)
    say_when_authorizations_lapse(resources)
    allow_webhook_removal(server.app, webhooks, web)
    resources.store.try_load_from_disk()

    # Same access log as localstripe's entry point: one line per request on stderr.
    access_log = logging.getLogger('aiohttp.access')
    access_log.setLevel(logging.DEBUG)
    access_log.addHandler(logging.StreamHandler())
    # localstripe logs webhook deliveries (and their failures) on the same logger.

    web.run_app(server.app, host=args.host, port=args.port, access_log=access_log,
                shutdown_timeout=SHUTDOWN_TIMEOUT_S,
                print=lambda message: print(message, flush=True))


if __name__ == '__main__':
    main()
