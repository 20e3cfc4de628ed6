"""注销 — closing an enterprise: the two routes (简易注销 and 普通注销), the public notices
(公示) and the objections filed against them (docs/changes-and-closing.md)."""
