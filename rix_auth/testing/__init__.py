"""The store contract suite, shipped so a custom store can prove itself.

Subclass :class:`AuthContract` in a test module, name the subclass ``Test…``
and implement its hooks; pytest then runs every rule against your store::

    @pytest.mark.django_db
    class TestMyStore(AuthContract):
        def make_auth(self, config, clock):
            return Auth(users=MyUsers(), sessions=MySessions(), config=config, clock=clock)
        ...

Needs pytest.
"""

from rix_auth.testing.contract import AuthContract

__all__ = ["AuthContract"]
