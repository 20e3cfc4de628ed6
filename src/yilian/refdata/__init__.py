"""Reference data (参考数据) for admission rules, shipped as versioned data files.

Each standard lives in ``data/`` as JSON or CSV with its edition, source and expected counts
(in the file or a sibling ``*.manifest.json``), so a rule decision can name the edition it
used and a test can check the file against the published counts. The modules here only
load and index those files; they hold no facts of their own:

- ``divisions``: administrative divisions (行政区划代码, GB/T 2260) and zone codes.
- ``industries``: national industry classification (国民经济行业分类, GB/T 4754-2017).
- ``scope``: normalized business-scope wording (经营范围规范表述) with permit flags.
- ``catalogues``: the market-access negative list (市场准入负面清单) and the
  pre-registration approval catalogue (工商登记前置审批事项目录).
"""
