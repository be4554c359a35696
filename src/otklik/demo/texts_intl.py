"""Indonesian, Arabic and Spanish phrases: the marketplace's customers in Jakarta, Dubai, Madrid."""

from __future__ import annotations

from otklik.demo.phrasebook import Phrasebook

__all__ = ["AR", "ES", "ID"]

ID = Phrasebook(
    topics={
        ("login", "neg"): (
            "Tidak bisa masuk ke aplikasi {since}, muncul {error}.",
            "Aplikasi tidak bisa login, kode OTP tidak pernah datang.",
            "Gagal login terus, saldo ada tapi tidak bisa dipakai.",
        ),
        ("login", "mix"): ("Login kadang lambat, harus buka ulang aplikasi.",),
        ("login", "pos"): ("Login pakai sidik jari cepat sekali.",),
        ("app", "neg"): (
            "Aplikasi sering keluar sendiri di {device}.",
            "Setelah update aplikasinya lemot sekali.",
        ),
        ("app", "mix"): ("Aplikasinya lumayan, tapi agak lambat.",),
        ("app", "pos"): (
            "Aplikasinya bagus dan mudah dipakai.",
            "Aplikasi cepat, fiturnya lengkap.",
        ),
        ("fees", "neg"): (
            "Biaya admin terlalu mahal, dipotong {amount} setiap bulan.",
            "Kena biaya {amount} untuk transfer, padahal katanya gratis.",
        ),
        ("fees", "mix"): ("Layanan oke, tapi biaya adminnya agak mahal.",),
        ("fees", "pos"): ("Tidak ada biaya admin, mantap.",),
        ("transfers", "neg"): ("Transfer {amount} belum masuk {since}, saldo sudah terpotong.",),
        ("transfers", "mix"): ("Transfer berhasil, tapi agak lama.",),
        ("transfers", "pos"): ("Transfer cepat dan gratis.",),
        ("card", "neg"): ("Kartu belum dikirim sudah {days}.", "Kartu saya diblokir tanpa alasan."),
        ("card", "mix"): ("Kartu sampai, tapi terlambat satu hari.",),
        ("card", "pos"): ("Kartu datang cepat, kurirnya ramah.",),
        ("support", "neg"): (
            "Menunggu CS {wait} tapi tidak ada yang menjawab.",
            "CS menutup telepon sebelum masalah selesai.",
        ),
        ("support", "mix"): ("Masalah selesai, tapi harus menelepon dua kali.",),
        ("support", "pos"): ("CS sangat membantu dan cepat tanggap.",),
        ("loan", "neg"): ("Pengajuan pinjaman ditolak tanpa alasan.",),
        ("loan", "mix"): ("Pinjaman disetujui, tapi bunganya cukup tinggi.",),
        ("loan", "pos"): ("Pinjaman cair dalam hitungan menit.",),
        ("insurance", "neg"): (
            "Klaim asuransi saya dilempar-lempar antara bank dan perusahaan asuransi.",
            "Saya dipindahkan {times} antara bank dan asuransi, klaim belum dibayar.",
        ),
        ("insurance", "mix"): ("Klaim dibayar, tapi prosesnya ribet.",),
        ("insurance", "pos"): ("Klaim asuransi cepat dibayar.",),
        ("delivery", "neg"): (
            "Pesanan belum sampai padahal sudah lewat {days}.",
            "Barang yang datang salah dan tidak bisa retur.",
        ),
        ("delivery", "mix"): ("Barang bagus, tapi pengiriman telat.",),
        ("delivery", "pos"): ("Pengiriman cepat, barang sesuai deskripsi.",),
        ("cashback", "neg"): ("Cashback bulan lalu tidak masuk.",),
        ("cashback", "mix"): ("Cashback ada, tapi kategorinya sering berubah.",),
        ("cashback", "pos"): ("Cashback-nya besar, suka sekali.",),
    },
    slots={
        "since": ("sejak kemarin", "dari pagi", "sudah tiga hari"),
        "error": ('"Layanan tidak tersedia"', '"Error 503"', '"Terjadi kesalahan"'),
        "device": ("Samsung A54", "Oppo A78", "Redmi 12", "iPhone 13"),
        "amount": ("Rp 15.000", "Rp 6.500", "Rp 250.000"),
        "wait": ("30 menit", "satu jam"),
        "times": ("tiga kali", "dua kali", "empat kali"),
        "days": ("dua minggu", "10 hari", "seminggu"),
    },
    openers={
        "neg": ("Kecewa.", "Parah."),
        "mix": ("Lumayan.",),
        "pos": ("Mantap!", "Terima kasih!"),
    },
    closers={
        "neg": ("Tolong diperbaiki!", "Mau pindah bank saja."),
        "mix": ("Semoga lebih baik.",),
        "pos": ("Sangat direkomendasikan!", "Sukses terus 👍"),
    },
    exit_reasons={
        "high fees": ("Biaya admin terlalu mahal.", "Biayanya naik terus, pindah ke bank lain."),
        "better offer elsewhere": ("Bank lain menawarkan bunga lebih tinggi.",),
        "poor service": ("Pelayanan buruk, masalah tidak pernah selesai.",),
        "app problems": ("Aplikasinya sering error.",),
        "moving away": ("Pindah ke kota lain.",),
        "no longer needed": ("Sudah tidak butuh rekening ini.",),
    },
)

AR = Phrasebook(
    topics={
        ("login", "neg"): (
            "لا أستطيع تسجيل الدخول إلى التطبيق {since}، تظهر رسالة {error}.",
            "التطبيق لا يسمح لي بالدخول، ورمز التحقق لا يصل.",
            "لا يمكنني الدخول إلى حسابي في التطبيق وأموالي عالقة.",
        ),
        ("login", "mix"): ("تسجيل الدخول يتأخر أحيانًا.",),
        ("login", "pos"): ("الدخول ببصمة الوجه سريع جدًا.",),
        ("app", "neg"): (
            "التطبيق يتوقف باستمرار على {device}.",
            "بعد التحديث أصبح التطبيق بطيئًا جدًا.",
        ),
        ("app", "mix"): ("التطبيق جيد لكنه بطيء أحيانًا.",),
        ("app", "pos"): ("تطبيق ممتاز وسهل الاستخدام.", "تطبيق سريع وكل الخدمات متوفرة."),
        ("fees", "neg"): (
            "الرسوم مرتفعة جدًا، خصموا {amount} بدون سبب.",
            "رسوم التحويل عالية مقارنة بالبنوك الأخرى.",
        ),
        ("fees", "mix"): ("الخدمة جيدة لكن الرسوم مرتفعة قليلًا.",),
        ("fees", "pos"): ("لا توجد رسوم خفية، ممتاز.",),
        ("transfers", "neg"): ("التحويل بمبلغ {amount} لم يصل {since}.",),
        ("transfers", "mix"): ("التحويل وصل لكن بعد عدة ساعات.",),
        ("transfers", "pos"): ("التحويلات فورية وسهلة.",),
        ("card", "neg"): ("لم تصلني البطاقة منذ {days}.", "تم حظر بطاقتي بدون أي توضيح."),
        ("card", "mix"): ("وصلت البطاقة متأخرة يومًا واحدًا.",),
        ("card", "pos"): ("وصلت البطاقة بسرعة والمندوب محترم.",),
        ("support", "neg"): (
            "انتظرت {wait} ولم يرد أحد من خدمة العملاء.",
            "الموظف أنهى المكالمة قبل أن أشرح المشكلة.",
        ),
        ("support", "mix"): ("تم حل المشكلة لكن بعد مكالمتين.",),
        ("support", "pos"): ("خدمة العملاء ممتازة وسريعة.",),
        ("loan", "neg"): ("تم رفض طلب القرض بدون سبب.",),
        ("loan", "mix"): ("تمت الموافقة على القرض لكن الفائدة مرتفعة.",),
        ("loan", "pos"): ("تمت الموافقة على التمويل خلال دقائق.",),
        ("insurance", "neg"): (
            "حولوني {times} بين البنك وشركة التأمين ولم يحل أحد مشكلتي.",
            "البنك يرسلني إلى شركة التأمين وشركة التأمين تعيدني إلى البنك.",
        ),
        ("insurance", "mix"): ("تم دفع التعويض لكن الإجراءات معقدة.",),
        ("insurance", "pos"): ("تم صرف التعويض بسرعة.",),
        ("delivery", "neg"): (
            "الطلب لم يصل رغم مرور {days}.",
            "وصلني منتج خاطئ ولا أستطيع إرجاعه.",
        ),
        ("delivery", "mix"): ("المنتج جيد لكن التوصيل تأخر.",),
        ("delivery", "pos"): ("توصيل سريع والمنتج مطابق للوصف.",),
        ("cashback", "neg"): ("لم يتم إضافة الاسترداد النقدي للشهر الماضي.",),
        ("cashback", "mix"): ("الاسترداد النقدي موجود لكن الفئات تتغير كثيرًا.",),
        ("cashback", "pos"): ("نسبة استرداد نقدي ممتازة.",),
    },
    slots={
        "since": ("منذ أمس", "منذ الصباح", "منذ ثلاثة أيام"),
        "error": ('"الخدمة غير متاحة"', '"خطأ 503"', '"حدث خطأ ما"'),
        "device": ("iPhone 14", "Samsung S23", "Huawei P60"),
        "amount": ("50 درهم", "120 درهم", "35 درهم"),
        "wait": ("40 دقيقة", "ساعة كاملة"),
        "times": ("ثلاث مرات", "مرتين", "أربع مرات"),
        "days": ("أسبوعين", "عشرة أيام", "شهر"),
    },
    openers={"neg": ("سيء جدًا.", "للأسف."), "mix": ("لا بأس.",), "pos": ("شكرًا!", "ممتاز!")},
    closers={
        "neg": ("أرجو الحل بسرعة!", "سأنتقل إلى بنك آخر."),
        "mix": ("نأمل التحسين.",),
        "pos": ("أنصح به بشدة!", "بالتوفيق 👍"),
    },
    exit_reasons={
        "high fees": ("الرسوم مرتفعة جدًا.", "الرسوم تزيد باستمرار، انتقلت إلى بنك آخر."),
        "better offer elsewhere": ("وجدت عرضًا أفضل في بنك آخر.",),
        "poor service": ("خدمة العملاء سيئة.",),
        "app problems": ("التطبيق لا يعمل بشكل جيد.",),
        "moving away": ("سأنتقل إلى بلد آخر.",),
        "no longer needed": ("لم أعد بحاجة إلى الحساب.",),
    },
)

ES = Phrasebook(
    topics={
        ("login", "neg"): (
            "No puedo entrar en la app {since}, sale {error}.",
            "No puedo iniciar sesión en la aplicación, el código SMS no llega.",
            "La app no me deja acceder y tengo el dinero bloqueado.",
        ),
        ("login", "mix"): ("El inicio de sesión a veces se queda colgado.",),
        ("login", "pos"): ("Entrar con Face ID es rapidísimo.",),
        ("app", "neg"): (
            "La app se cierra sola en mi {device}.",
            "Desde la última actualización la aplicación va muy lenta.",
        ),
        ("app", "mix"): ("La app está bien, pero es algo lenta.",),
        ("app", "pos"): ("Muy buena app, fácil y rápida.", "La mejor app bancaria que he usado."),
        ("fees", "neg"): (
            "Comisiones altísimas, me cobraron {amount} sin avisar.",
            "Cobran comisión por todo, en otros bancos es gratis.",
        ),
        ("fees", "mix"): ("El servicio está bien, pero las comisiones podrían ser más bajas.",),
        ("fees", "pos"): ("Sin comisiones, genial.",),
        ("transfers", "neg"): ("Mi transferencia de {amount} no llega {since}.",),
        ("transfers", "mix"): ("La transferencia llegó, pero tardó horas.",),
        ("transfers", "pos"): ("Transferencias al instante, perfecto.",),
        ("card", "neg"): (
            "La tarjeta no llega desde hace {days}.",
            "Me bloquearon la tarjeta sin explicación.",
        ),
        ("card", "mix"): ("La tarjeta llegó con un día de retraso.",),
        ("card", "pos"): ("La tarjeta llegó rápido, el mensajero muy amable.",),
        ("support", "neg"): (
            "Esperé {wait} al teléfono y nadie contestó.",
            "El agente me colgó sin escucharme.",
        ),
        ("support", "mix"): ("Lo resolvieron, pero tuve que llamar dos veces.",),
        ("support", "pos"): ("Atención al cliente rápida y amable.",),
        ("loan", "neg"): ("Me rechazaron el préstamo sin dar motivos.",),
        ("loan", "mix"): ("Préstamo aprobado, aunque el interés es alto.",),
        ("loan", "pos"): ("Préstamo aprobado en diez minutos desde la app.",),
        ("insurance", "neg"): (
            "Me pasaron {times} del banco a la aseguradora y de vuelta, nadie se hace cargo.",
            "El banco me manda a la aseguradora y la aseguradora al banco.",
        ),
        ("insurance", "mix"): ("Cobré el seguro, pero el trámite fue complicado.",),
        ("insurance", "pos"): ("Pagaron el siniestro en una semana.",),
        ("delivery", "neg"): (
            "Mi pedido debía llegar hace {days} y sigue sin moverse.",
            "Me llegó un producto equivocado y no puedo devolverlo.",
        ),
        ("delivery", "mix"): ("Buen producto, pero el envío se retrasó.",),
        ("delivery", "pos"): ("Envío rápido y el producto es tal cual la descripción.",),
        ("cashback", "neg"): ("No me abonaron el cashback del mes pasado.",),
        ("cashback", "mix"): ("El cashback está bien, pero las categorías cambian cada mes.",),
        ("cashback", "pos"): ("Excelente cashback en supermercados.",),
    },
    slots={
        "since": ("desde ayer", "desde esta mañana", "desde hace tres días"),
        "error": ('"Servicio no disponible"', '"Error 503"', '"Algo salió mal"'),
        "device": ("iPhone 13", "Galaxy A54", "Xiaomi 13"),
        "amount": ("9 €", "15 €", "250 €", "4,99 €"),
        "wait": ("40 minutos", "media hora", "más de una hora"),
        "times": ("tres veces", "dos veces", "cuatro veces"),
        "days": ("dos semanas", "diez días", "un mes"),
    },
    openers={"neg": ("Fatal.", "Muy decepcionado."), "mix": ("Regular.",), "pos": ("¡Gracias!",)},
    closers={
        "neg": ("¡Arréglenlo ya!", "Me cambio de banco."),
        "mix": ("Hay margen de mejora.",),
        "pos": ("¡Lo recomiendo!", "Cinco estrellas 👍"),
    },
    exit_reasons={
        "high fees": (
            "Comisiones demasiado altas.",
            "Suben las comisiones cada año, me voy a otro banco.",
        ),
        "better offer elsewhere": ("Otro banco me ofreció mejores condiciones.",),
        "poor service": ("Mala atención al cliente.",),
        "app problems": ("La app falla constantemente.",),
        "moving away": ("Me mudo a otro país.",),
        "no longer needed": ("Ya no necesito la cuenta.",),
    },
)
