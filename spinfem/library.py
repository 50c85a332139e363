"""A small library of literature material parameters, with citations.

These are *representative* values for thin (mostly sputtered) films, meant as sensible
starting points and for examples and tests. They are not properties of your sample:
resistivity and spin-diffusion length depend strongly on purity, grain size, thickness
and temperature, so use your own film's values whenever you have them (see
``docs/materials.md`` for how to build your own :class:`~spinfem.materials.Material`).

Sources and conventions:

* Ferromagnets and light normal metals (Cu, Ag, Co, Fe, Ni, Ni80Fe20, Co91Fe9, and the
  ``Pt_4K`` entry): current-perpendicular-to-plane (CPP) GMR parameters, mostly at
  4.2 K, as collected in the review of J. Bass and W. P. Pratt Jr., "Spin-diffusion
  lengths in metals and alloys, and spin-flipping at metal/metal interfaces: an
  experimentalist's critical review", J. Phys.: Condens. Matter 19, 183201 (2007)
  (arXiv:cond-mat/0610085), and the original papers cited there. ``P`` is the Bass-Pratt
  bulk scattering asymmetry beta = (sigma_up - sigma_dn) / sigma.
* Al and Au: non-local lateral-spin-valve measurements (Costache et al. 2006, Ji et al.
  2004), at low temperature.
* Heavy metals (Pt, beta-Ta, beta-W): room-temperature spin Hall angles from spin-torque
  FMR / spin pumping / SMR work: L. Liu et al., Science 336, 555 (2012) for beta-Ta,
  C.-F. Pai et al., Appl. Phys. Lett. 101, 122404 (2012) for beta-W, and J.-C.
  Rojas-Sanchez et al., Phys. Rev. Lett. 112, 106602 (2014) for Pt. Sign convention:
  theta_sh > 0 for Pt, < 0 for Ta and W.

Every entry's ``reference`` says where each number comes from, at which temperature, and
whether it is a value read from a measurement or a representative value (e.g. the middle
of a literature range, or a value quoted from the review that was not re-checked against
the original table). Do not mix 4.2 K and room-temperature entries in one model without
thinking about it.

Usage::

    from spinfem import library
    co = library.get("Co")          # or library.Co
    py = library.get("NiFe")        # aliases: NiFe, Ni80Fe20, Permalloy -> Py
    my_pt = library.Pt.with_(sigma=1 / 300e-9, l_sf=2.0e-9)
"""

from __future__ import annotations

import difflib

from spinfem.errors import MaterialError
from spinfem.materials import Material

__all__ = [
    "ALIASES",
    "LIBRARY",
    "PT_YIG_MIXING",
    "Ag",
    "Al",
    "Au",
    "Co",
    "CoFe",
    "Cu",
    "Fe",
    "Ni",
    "NiFe",
    "Pt",
    "Pt_4K",
    "Py",
    "Ta",
    "W",
    "get",
]

_BP2007 = "J. Bass & W. P. Pratt Jr., J. Phys.: Condens. Matter 19, 183201 (2007)"

# ---------------------------------------------------------------------------------------
# Nonmagnetic light metals
# ---------------------------------------------------------------------------------------

Cu = Material.from_resistivity(
    "Cu",
    rho=6e-9,
    l_sf=500e-9,
    reference=(
        f"Representative sputtered Cu at 4.2 K, cf. {_BP2007}, Cu entries of the tables "
        "of N-metal spin-diffusion lengths (CPP-MR): rho ~ 5-7 nOhm m, l_sf of order "
        "0.5 um or longer (a lower-bound-type value; not re-checked against the table). "
        "l_sf of Cu is strongly sample dependent: e.g. Y. Ji, A. Hoffmann, J. E. Pearson "
        "& S. D. Bader, Appl. Phys. Lett. 88, 052509 (2006), Co/Cu/Co lateral spin "
        "valves: 200 +/- 20 nm at 10 K, >= 110 nm at 300 K."
    ),
)

Ag = Material.from_resistivity(
    "Ag",
    rho=10e-9,
    l_sf=150e-9,
    reference=(
        f"Representative sputtered Ag at 4.2 K, cf. {_BP2007}, Ag entries of the tables "
        "of N-metal spin-diffusion lengths (CPP-MR); rho and l_sf are representative "
        "(l_sf ~ 150 nm or longer), not re-checked against the table. Lateral spin "
        "valves give longer values, e.g. M. Isasa et al., arXiv:1410.4001: "
        "l_sf = 449 +/- 30 nm (polycrystalline) and 823 +/- 59 nm (epitaxial Ag)."
    ),
)

Au = Material.from_resistivity(
    "Au",
    rho=20e-9,
    l_sf=63e-9,
    reference=(
        "l_sf: Y. Ji, A. Hoffmann, J. S. Jiang & S. D. Bader, Appl. Phys. Lett. 85, 6218 "
        "(2004), Py/Au non-local lateral spin valves, exponential decay of the spin "
        "signal with injector-detector distance: l_sf = 63 +/- 15 nm at 10 K. rho is a "
        "representative low-temperature thin-film value (not from that paper)."
    ),
)

Al = Material.from_resistivity(
    "Al",
    rho=30e-9,
    l_sf=400e-9,
    reference=(
        "l_sf: M. V. Costache, M. Zaffalon & B. J. van Wees, Phys. Rev. B 74, 012412 "
        "(2006), Al island with four Co/AlOx contacts (non-local spin accumulation): "
        "l_sf = 400 +/- 50 nm at low temperature (350 +/- 50 nm at room temperature). "
        "See also F. J. Jedema et al., Nature 416, 713 (2002) (spin precession in Al "
        "lateral spin valves, same group). rho is a representative low-temperature "
        "evaporated-film value (not from those papers)."
    ),
)

# ---------------------------------------------------------------------------------------
# Ferromagnets (P = Bass-Pratt beta; its sign follows the magnetization)
# ---------------------------------------------------------------------------------------

Co = Material.from_resistivity(
    "Co",
    rho=70e-9,
    l_sf=59e-9,
    P=0.46,
    reference=(
        f"CPP-MR values as quoted in {_BP2007} (F-metal tables): beta = 0.46 (sputtered "
        "Co/Cu multilayers, 4.2 K) and l_sf = 59 nm (L. Piraux, S. Dubois, A. Fert & "
        "L. Belliard, Eur. Phys. J. B 4, 413 (1998), electrodeposited Co/Cu nanowires, "
        "77 K). rho is representative of sputtered Co at 4.2 K (60-75 nOhm m). "
        "Representative values, not re-checked against the tables."
    ),
)

Fe = Material.from_resistivity(
    "Fe",
    rho=50e-9,
    l_sf=8.5e-9,
    P=0.1,
    reference=(
        f"LOW CONFIDENCE. l_sf = 8.5 nm at 4.2 K is the value quoted in {_BP2007} "
        "(F-metal table; attributed there to D. Bozec, Ph.D. thesis, Univ. of Leeds "
        "(2000)); not re-checked. The bulk asymmetry of Fe is small and poorly "
        "established (CPP analyses scatter around zero); P = 0.1 and rho = 50 nOhm m "
        "are representative placeholders, not measured values. Measure your own film."
    ),
)

Ni = Material.from_resistivity(
    "Ni",
    rho=33e-9,
    l_sf=21e-9,
    P=0.14,
    reference=(
        "l_sf = 21 +/- 2 nm at 4.2 K in sputtered Ni: C. E. Moreau, I. C. Moraru, "
        "N. O. Birge & W. P. Pratt Jr., Appl. Phys. Lett. 90, 012101 (2007), CPP-GMR of "
        "Py/Ni/Cu/Py exchange-biased spin valves (Ni as 'spoiler' layer), Valet-Fert fit. "
        f"beta = 0.14 and rho = 33 nOhm m are representative values as quoted in {_BP2007} "
        "(not re-checked)."
    ),
)

Py = Material.from_resistivity(
    "Py",
    rho=123e-9,
    l_sf=5.5e-9,
    P=0.73,
    reference=(
        "Ni80Fe20 (permalloy), sputtered, 4.2 K. l_sf = 5.5 +/- 1 nm: S. D. Steenwyk, "
        "S. Y. Hsu, R. Loloee, J. Bass & W. P. Pratt Jr., J. Magn. Magn. Mater. 170, L1 "
        "(1997), and W. P. Pratt Jr. et al., IEEE Trans. Magn. 33, 3505 (1997), CPP-MR of "
        f"exchange-biased spin valves. beta = 0.73 and rho = 123 nOhm m as quoted in "
        f"{_BP2007} (representative; reported beta 0.65-0.76, rho 120-150 nOhm m)."
    ),
)
NiFe = Py

CoFe = Material.from_resistivity(
    "CoFe",
    rho=70e-9,
    l_sf=12e-9,
    P=0.65,
    reference=(
        "Co91Fe9, sputtered, 4.2 K. CPP-MR of Co91Fe9/Cu exchange-biased spin valves: "
        "A. C. Reilly, W. Park, R. Slater, B. Ouaglal, R. Loloee, W. P. Pratt Jr. & "
        "J. Bass, J. Magn. Magn. Mater. 195, L269 (1999); beta = 0.65, l_sf = 12 nm and "
        f"rho = 70 nOhm m are the representative values as quoted in {_BP2007} "
        "(not re-checked against the tables)."
    ),
)

# ---------------------------------------------------------------------------------------
# Heavy metals with spin Hall effect (room temperature unless stated)
# ---------------------------------------------------------------------------------------

Pt = Material.from_resistivity(
    "Pt",
    rho=230e-9,
    l_sf=3.4e-9,
    theta_sh=0.051,
    reference=(
        "Sputtered Pt, room temperature. l_sf = 3.4 +/- 0.4 nm and theta_sh = "
        "0.051 +/- 0.004: J.-C. Rojas-Sanchez et al., Phys. Rev. Lett. 112, 106602 "
        "(2014), FMR spin pumping + inverse SHE in Co|Pt and Co|Cu|Pt, analysed with "
        "interface spin-memory loss. rho chosen so that rho * l_sf = 0.77 fOhm m^2, the "
        "Elliott-Yafet product of M.-H. Nguyen, D. C. Ralph & R. A. Buhrman, Phys. Rev. "
        "Lett. 116, 126601 (2016) (arXiv:1512.06931), i.e. a typical ~23 uOhm cm film. "
        "Reported theta_sh of Pt spans ~0.01-0.1 and l_sf ~1-10 nm depending on rho and "
        "method; cf. ST-FMR lower bound 0.056 +/- 0.005 (L. Liu, T. Moriyama, D. C. Ralph "
        "& R. A. Buhrman, Phys. Rev. Lett. 106, 036601 (2011))."
    ),
)

Pt_4K = Material.from_resistivity(
    "Pt_4K",
    rho=42e-9,
    l_sf=14e-9,
    reference=(
        f"Sputtered Pt at 4.2 K, CPP-MR, as quoted in {_BP2007} (N-metal tables; from "
        "H. Kurt, R. Loloee, K. Eid, W. P. Pratt Jr. & J. Bass, Appl. Phys. Lett. 81, 4787 "
        "(2002)): l_sf ~ 14 nm at rho ~ 42 nOhm m. Representative, not re-checked; note "
        "rho * l_sf = 0.59 fOhm m^2, consistent with the room-temperature product. "
        "theta_sh not determined by that measurement (set to 0; use with_() to set one)."
    ),
)

Ta = Material.from_resistivity(
    "Ta",
    rho=1.9e-6,
    l_sf=2.5e-9,
    theta_sh=-0.15,
    reference=(
        "beta-Ta, sputtered, room temperature. theta_sh: L. Liu, C.-F. Pai, Y. Li, "
        "H. W. Tseng, D. C. Ralph & R. A. Buhrman, Science 336, 555 (2012), ST-FMR on "
        "8 nm beta-Ta/CoFeB: |J_s/J_e| = 0.15 +/- 0.03, negative (opposite to Pt). "
        "rho ~ 190 uOhm cm is the representative beta-Ta value of that work (not "
        "re-checked). l_sf ~ 2.5 nm: G. Allen, S. Manipatruni, D. E. Nikonov, M. Doczy & "
        "I. A. Young, arXiv:1411.0601 (beta-Ta/CoFeB FMR, room temperature); reported "
        "values range ~0.5-2.7 nm."
    ),
)

W = Material.from_resistivity(
    "W",
    rho=1.3e-6,
    l_sf=1.1e-9,
    theta_sh=-0.30,
    reference=(
        "beta-W, sputtered, room temperature. theta_sh: C.-F. Pai, L. Liu, Y. Li, "
        "H. W. Tseng, D. C. Ralph & R. A. Buhrman, Appl. Phys. Lett. 101, 122404 (2012), "
        "ST-FMR on beta-W/CoFeB: |theta| = 0.30 +/- 0.02 (0.33 +/- 0.06 from switching), "
        "negative like Ta. rho = 130 uOhm cm and l_sf = 1.1 nm: W/CoFeB/MgO, Table 1 of "
        "P. Sheng et al., 'The spin Nernst effect in tungsten', Sci. Adv. 3, e1701503 "
        "(2017) (which gives theta_sh = -0.28). beta-W resistivity varies ~100-300 uOhm cm "
        "with the alpha/beta phase mix, and theta_sh grows with it."
    ),
)

# ---------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------

LIBRARY: dict[str, Material] = {
    m.name: m for m in (Cu, Ag, Au, Al, Co, Fe, Ni, Py, CoFe, Pt, Pt_4K, Ta, W)
}
"""Canonical name -> :class:`Material`."""

# ---------------------------------------------------------------------------------------
# Spin-mixing conductances (vector model; spinfem.mixing)
# ---------------------------------------------------------------------------------------

#: Pt on YIG, room temperature: G_r = (7 +/- 3)e14 S/m^2, G_i = (5 +/- 3)e13 S/m^2, fitted
#: to the spin Hall magnetoresistance of Pt films of 3-35 nm with theta_sh = 0.08 and
#: lambda = 1.1 +/- 0.3 nm: N. Vlietstra, J. Shan, V. Castel, J. Ben Youssef, G. E. W. Bauer
#: & B. J. van Wees, Phys. Rev. B 87, 184421 (2013) (arXiv:1305.3117). (M. Althammer et
#: al., Phys. Rev. B 87, 224401 (2013) use G_r = 4e14 S/m^2 for YIG/Pt.) Use as
#: ``MagneticInsulator(**PT_YIG_MIXING, m=...)``.
PT_YIG_MIXING: dict[str, float] = {"G_r": 7e14, "G_i": 5e13}

ALIASES: dict[str, str] = {
    "NiFe": "Py",
    "Ni80Fe20": "Py",
    "Permalloy": "Py",
    "Co91Fe9": "CoFe",
    "beta-Ta": "Ta",
    "beta-W": "W",
}
"""Alternative name -> canonical name in :data:`LIBRARY`."""


def get(name: str) -> Material:
    """The library material called ``name`` (a canonical name or an alias).

    Lookup is exact first, then case-insensitive. An unknown name raises
    :class:`~spinfem.errors.MaterialError` listing the available names, with a
    "did you mean" suggestion when one is close.
    """
    if not isinstance(name, str):
        raise MaterialError(f"material name must be a string, got {name!r}")
    key = name.strip()
    if key in LIBRARY:
        return LIBRARY[key]
    if key in ALIASES:
        return LIBRARY[ALIASES[key]]
    known = [*LIBRARY, *ALIASES]
    folded = {k.casefold(): k for k in known}
    if key.casefold() in folded:
        match = folded[key.casefold()]
        return LIBRARY[ALIASES.get(match, match)]
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    if not close:
        lowered = difflib.get_close_matches(key.casefold(), list(folded), n=3, cutoff=0.6)
        close = [folded[c] for c in lowered]
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    aliases = ", ".join(f"{a} -> {c}" for a, c in ALIASES.items())
    raise MaterialError(
        f"unknown material {name!r}.{hint} Available: {', '.join(LIBRARY)} (aliases: {aliases})."
    )
