"""The reference department systems (参考部门系统): each department Yilian asks, run as
a process of its own with its own SQLite ledger, speaking docs/department-protocol.md.

``yilian department-sim CODE --port P --data-dir D`` runs one (:mod:`.app`);
``yilian department-sim-set`` changes its faults while it runs (:mod:`.client`);
``yilian demo --http-departments`` starts them all beside the demo (:mod:`.launch`).
Inside: :mod:`.ledger` (the department's own records), :mod:`.faults` (how slow and
unreliable it is), :mod:`.service` (what it does), :mod:`.server` (HTTP) and
:mod:`.callbacks` (late results, delivered until acknowledged).
"""
